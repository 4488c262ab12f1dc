-- The Westendorp pack 1.2.0 written by hand in DuckDB: the baseline of benchmarks/run.py.
--
-- Written from ../shared/spec/rule-catalogue.md and data-contract.md alone, the way a careful
-- engineer would answer the 44 rules over an office's Parquet export: one view per dataset that
-- evaluates each of its rules as a column of the same pass, so the big access log is read five
-- times (every event; the known users' events with their explanations; the parties' events; the
-- marketing events; the log in time order for its gaps) instead of once per rule. It trusts the
-- export: no contract validation, no number-as-text repair, no messages. Of the counts a report
-- gives it computes the ones 5.1-access-unexplained needs anyway: its population and the events
-- each explanation holds for (the table `explained`), from the same pass as its findings.
--
-- handwritten.py defines a view per dataset over the files, sets the variable `as_of`, runs
-- this file, and writes the view `findings`: one row per finding, (rule, dataset, key, col);
-- `key` is the row's key value (null for 1.1) and `col` the column of the contract rules; and the
-- table `explained`: (explanation, rows), the population as explanation 'population'.
-- Each dataset's view gives (dataset, key, found): `found` lists 'rule' or 'rule|column' per
-- rule the row breaks, and null for the others.

CREATE MACRO blank(s) AS s IS NULL OR regexp_full_match(s, '\s*');
CREATE MACRO audit_date() AS getvariable('as_of');
-- `d + n months/years` clamps to the month's end in DuckDB, as the catalogue asks; back to a date.
CREATE MACRO plus(d, i) AS CAST(d + i AS DATE);
CREATE MACRO late(due, done) AS done > due OR done IS NULL AND audit_date() > due;
-- A value outside a closed vocabulary; a null is outside too (only nullable columns test blank first).
CREATE MACRO outside(x, vocabulary) AS NOT coalesce(list_contains(vocabulary, x), false);
-- A non-null reference that names no row (rule 4.2-dangling-reference).
CREATE MACRO no_client(x) AS x NOT IN (SELECT client_id FROM clients);
CREATE MACRO no_user(x) AS x NOT IN (SELECT user_id FROM users);
CREATE MACRO no_party(x) AS x NOT IN (SELECT party_id FROM parties);
CREATE MACRO elfproef(b) AS regexp_full_match(b, '[0-9]{9}')
    AND (list_sum(list_transform(range(8), lambda i: (9 - i) * (ascii(b[i + 1]) - 48)))
         - (ascii(b[9]) - 48)) % 11 = 0;

-- The columns the data contract lists, for 1.2.
CREATE TABLE contract_columns AS
SELECT dataset, unnest(string_split(columns, ' ')) AS col FROM (VALUES
    ('clients', 'client_id name address postcode city gender birth_date bsn phone benefit education work_experience registered_at'),
    ('trajectories', 'trajectory_id client_id commissioner_id kind start_date end_date'),
    ('contacts', 'contact_id client_id user_id contact_date channel'),
    ('records', 'record_id client_id category created_at deleted_at subject_informed_at created_by'),
    ('users', 'user_id name role authorized_from authorized_until confidentiality_signed_at special_data_access manager_id'),
    ('caseload', 'assignment_id user_id client_id assigned_from assigned_until'),
    ('parties', 'party_id name kind agreement_signed_at confidentiality'),
    ('disclosures', 'disclosure_id client_id party_id disclosed_at categories basis legal_ground consent_id disclosed_by'),
    ('consents', 'consent_id client_id purpose party_id given_at withdrawn_at explicit'),
    ('requests', 'request_id client_id type received_at requester identity_verified mandate_verified collector_heard_at decided_at decision decision_reason decision_in_writing executed_at handled_by extended_at'),
    ('objections', 'objection_id client_id objected_at'),
    ('marketing', 'message_id client_id sent_at purpose'),
    ('access_log', 'event_id ts actor_id actor_kind client_id action data_category purpose'),
    ('complaints', 'complaint_id client_id received_at handled_at handled_by')
) AS t(dataset, columns);

-- The periods that give a need to know, with an open end as the end of time, so that "covers
-- the day" is two plain comparisons a hash join can test as part of its condition.
CREATE TABLE assigned AS
SELECT user_id, client_id, assigned_from AS since, coalesce(assigned_until, DATE '9999-12-31') AS until
FROM caseload;
CREATE TABLE commissioned AS
SELECT commissioner_id, client_id, start_date AS since, coalesce(end_date, DATE '9999-12-31') AS until
FROM trajectories;
-- "withdrawn_at null or later than the day": the consent holds up to the day before it is withdrawn.
CREATE TABLE marketing_consent AS
SELECT client_id, given_at AS since, coalesce(withdrawn_at - 1, DATE '9999-12-31') AS until
FROM consents WHERE purpose = 'marketing' AND explicit;
CREATE TABLE first_objection AS
SELECT client_id, min(objected_at) AS objected_at FROM objections GROUP BY client_id;

-- Per client id: a trajectory running, the latest end; the latest contact; the latest deletion statement.
CREATE TABLE guidance AS
SELECT client_id, bool_or(end_date IS NULL) AS running, max(end_date) AS last_end
FROM trajectories GROUP BY client_id;
CREATE TABLE last_contact AS SELECT client_id, max(contact_date) AS contact_date FROM contacts GROUP BY client_id;
CREATE TABLE last_statement AS
SELECT client_id, max(created_at) AS created_at FROM records WHERE category = 'deletion_statement' GROUP BY client_id;

CREATE VIEW clients_found AS
SELECT 'clients' AS dataset, c.client_id AS key, [
    CASE WHEN NOT blank(bsn) AND NOT elfproef(bsn) THEN '4.2-invalid-bsn' END,
    CASE WHEN blank(name) OR birth_date IS NULL OR blank(bsn) THEN '4.2-incomplete-client' END,
    CASE WHEN NOT blank(bsn) AND count(*) OVER (PARTITION BY bsn) > 1 THEN '4.2-duplicate-bsn' END,
    CASE WHEN NOT blank(gender) AND outside(gender, ['M', 'V', 'X']) THEN '4.2-unknown-code|gender' END,
    CASE WHEN birth_date > registered_at OR birth_date < plus(audit_date(), - INTERVAL 100 YEAR)
         THEN '4.2-implausible-birth-date' END,
    CASE WHEN g.client_id IS NULL THEN '4.3-no-processing-basis' END,
    CASE WHEN NOT coalesce(g.running, false)
              AND plus(greatest(k.contact_date, c.registered_at, g.last_end), INTERVAL 2 YEAR) < audit_date()
         THEN '11.2-retention-after-last-contact' END
] AS found
FROM clients c LEFT JOIN guidance g USING (client_id) LEFT JOIN last_contact k USING (client_id);

CREATE VIEW trajectories_found AS
SELECT 'trajectories', trajectory_id, [
    CASE WHEN outside(kind, ['reintegration', 'jobcoaching', 'support', 'participation'])
         THEN '4.2-unknown-code|kind' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_party(commissioner_id) THEN '4.2-dangling-reference|commissioner_id' END,
    CASE WHEN end_date < start_date THEN '4.2-date-order|end_date' END
] FROM trajectories;

CREATE VIEW contacts_found AS
SELECT 'contacts', contact_id, [
    CASE WHEN outside(channel, ['meeting', 'phone', 'email', 'letter']) THEN '4.2-unknown-code|channel' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_user(user_id) THEN '4.2-dangling-reference|user_id' END
] FROM contacts;

CREATE VIEW records_found AS
SELECT 'records', record_id, [
    CASE WHEN outside(category, ['general', 'special', 'fiscal', 'deletion_statement'])
         THEN '4.2-unknown-code|category' END,
    CASE WHEN no_client(r.client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_user(created_by) THEN '4.2-dangling-reference|created_by' END,
    CASE WHEN deleted_at < created_at THEN '4.2-date-order|deleted_at' END,
    CASE WHEN category = 'special' AND (subject_informed_at IS NULL OR subject_informed_at > created_at)
         THEN '4.4-special-data-not-informed' END,
    CASE WHEN category = 'fiscal' AND deleted_at < plus(created_at, INTERVAL 7 YEAR)
         THEN '9.4-deleted-within-legal-retention' END,
    CASE WHEN category IN ('general', 'special') AND deleted_at IS NULL AND NOT g.running
              AND plus(g.last_end, INTERVAL 2 YEAR) < audit_date() THEN '11.3-retention-after-guidance' END,
    CASE WHEN category = 'fiscal' AND deleted_at IS NULL AND plus(created_at, INTERVAL 7 YEAR) < audit_date()
         THEN '11.3-fiscal-retention-exceeded' END
] FROM records r LEFT JOIN guidance g USING (client_id);

CREATE VIEW users_found AS
SELECT 'users', user_id, [
    CASE WHEN outside(role, ['jobcoach', 'advisor', 'intern', 'administration', 'management'])
         THEN '4.2-unknown-code|role' END,
    CASE WHEN authorized_until < authorized_from THEN '4.2-date-order|authorized_until' END,
    CASE WHEN no_user(manager_id) THEN '4.2-dangling-reference|manager_id' END
] FROM users;

CREATE VIEW caseload_found AS
SELECT 'caseload', assignment_id, [
    CASE WHEN no_user(user_id) THEN '4.2-dangling-reference|user_id' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN assigned_until < assigned_from THEN '4.2-date-order|assigned_until' END
] FROM caseload;

CREATE VIEW parties_found AS
SELECT 'parties', party_id, [
    CASE WHEN outside(kind, ['commissioner', 'processor', 'third_party']) THEN '4.2-unknown-code|kind' END
] FROM parties;

CREATE VIEW disclosures_found AS
WITH d AS (
    SELECT d.*, CAST(d.disclosed_at AS DATE) AS day, p.kind AS receiver_kind,
           coalesce(d.basis = 'legal_obligation', false) AND NOT blank(d.legal_ground) AS by_law
    FROM disclosures d LEFT JOIN parties p USING (party_id)
)
SELECT 'disclosures', disclosure_id, [
    CASE WHEN len(categories) = 0 OR list_bool_or(list_transform(categories,
             lambda c: outside(c, ['general', 'special', 'fiscal']))) THEN '4.2-unknown-code|categories' END,
    CASE WHEN NOT blank(basis) AND outside(basis, ['consent', 'legal_obligation', 'reintegration_agreement'])
         THEN '4.2-unknown-code|basis' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_party(party_id) THEN '4.2-dangling-reference|party_id' END,
    CASE WHEN consent_id NOT IN (SELECT consent_id FROM consents) THEN '4.2-dangling-reference|consent_id' END,
    CASE WHEN no_user(disclosed_by) THEN '4.2-dangling-reference|disclosed_by' END,
    CASE WHEN blank(basis) THEN '7.1-disclosure-without-basis' END,
    CASE WHEN basis = 'consent' AND NOT EXISTS (
            SELECT 1 FROM consents c WHERE c.client_id = d.client_id AND c.purpose = 'disclosure'
               AND (c.party_id IS NULL OR c.party_id = d.party_id)
               AND c.given_at <= d.day AND (c.withdrawn_at IS NULL OR c.withdrawn_at > d.day))
         THEN '7.1-consent-missing' END,
    CASE WHEN basis = 'legal_obligation' AND blank(legal_ground) THEN '7.1-legal-ground-missing' END,
    CASE WHEN basis = 'reintegration_agreement' AND receiver_kind <> 'commissioner' AND NOT EXISTS (
            SELECT 1 FROM trajectories t WHERE t.client_id = d.client_id
               AND t.start_date <= d.day AND (t.end_date IS NULL OR d.day <= t.end_date))
         THEN '7.1-no-running-agreement' END,
    CASE WHEN receiver_kind = 'commissioner' AND list_contains(categories, 'special') AND NOT by_law
         THEN '7.2-special-data-to-commissioner' END,
    CASE WHEN basis = 'reintegration_agreement' AND receiver_kind = 'commissioner' AND NOT EXISTS (
            SELECT 1 FROM trajectories t WHERE t.client_id = d.client_id AND t.commissioner_id = d.party_id
               AND t.start_date <= d.day AND (t.end_date IS NULL OR d.day <= t.end_date))
         THEN '7.2-commissioner-not-assigned' END
] FROM d;

CREATE VIEW consents_found AS
SELECT 'consents', consent_id, [
    CASE WHEN outside(purpose, ['disclosure', 'marketing']) THEN '4.2-unknown-code|purpose' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_party(party_id) THEN '4.2-dangling-reference|party_id' END,
    CASE WHEN withdrawn_at < given_at THEN '4.2-date-order|withdrawn_at' END
] FROM consents;

CREATE VIEW requests_found AS
WITH r AS (
    SELECT *, type IN ('supplement', 'correction', 'deletion', 'restriction') AS rectification,
           decision IN ('granted', 'partial') AS granted
    FROM requests
)
SELECT 'requests', request_id, [
    CASE WHEN outside(type, ['access', 'supplement', 'correction', 'deletion', 'restriction'])
         THEN '4.2-unknown-code|type' END,
    CASE WHEN outside(requester, ['subject', 'representative']) THEN '4.2-unknown-code|requester' END,
    CASE WHEN NOT blank(decision) AND outside(decision, ['granted', 'partial', 'refused'])
         THEN '4.2-unknown-code|decision' END,
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_user(handled_by) THEN '4.2-dangling-reference|handled_by' END,
    CASE WHEN decided_at < received_at THEN '4.2-date-order|decided_at' END,
    CASE WHEN executed_at < decided_at THEN '4.2-date-order|executed_at' END,
    CASE WHEN extended_at < received_at THEN '4.2-date-order|extended_at' END,
    CASE WHEN type = 'access' AND late(CASE WHEN extended_at <= plus(received_at, INTERVAL 1 MONTH)
                                            THEN plus(received_at, INTERVAL 3 MONTH)
                                            ELSE plus(received_at, INTERVAL 1 MONTH) END, decided_at)
         THEN '8.1-access-request-late' END,
    CASE WHEN type = 'access' AND granted
              AND (NOT identity_verified OR requester = 'representative' AND mandate_verified IS NOT TRUE)
         THEN '8.2-identity-not-verified' END,
    CASE WHEN type = 'supplement' AND decision = 'refused' THEN '9.1-supplement-refused' END,
    CASE WHEN rectification AND decided_at IS NOT NULL
              AND (collector_heard_at IS NULL OR collector_heard_at > decided_at) THEN '9.2-collector-not-heard' END,
    CASE WHEN rectification AND late(plus(received_at, INTERVAL 4 WEEK), decided_at) THEN '9.3-decision-late' END,
    CASE WHEN decision = 'refused' AND blank(decision_reason) THEN '9.3-refusal-without-reasons' END,
    CASE WHEN decided_at IS NOT NULL AND decision_in_writing IS NOT TRUE THEN '9.3-decision-not-in-writing' END,
    CASE WHEN rectification AND granted AND late(plus(decided_at, INTERVAL 14 DAY), executed_at)
         THEN '9.5-decision-not-executed' END,
    CASE WHEN type = 'deletion' AND granted AND executed_at IS NOT NULL
              AND (s.created_at IS NULL OR s.created_at < executed_at) THEN '9.6-deletion-without-statement' END
] FROM r LEFT JOIN last_statement s USING (client_id);

CREATE VIEW objections_found AS
SELECT 'objections', objection_id, [
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END
] FROM objections;

CREATE VIEW marketing_found AS
SELECT 'marketing', message_id, [
    CASE WHEN outside(k.purpose, ['commercial', 'charitable']) THEN '4.2-unknown-code|purpose' END,
    CASE WHEN no_client(k.client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN c.client_id IS NULL THEN '10.1-marketing-without-consent' END,
    CASE WHEN o.objected_at < CAST(sent_at AS DATE) THEN '10.2-marketing-after-objection' END
] FROM marketing k
LEFT JOIN marketing_consent c ON c.client_id = k.client_id
                              AND c.since <= CAST(k.sent_at AS DATE) AND CAST(k.sent_at AS DATE) <= c.until
LEFT JOIN first_objection o ON o.client_id = k.client_id;

CREATE VIEW complaints_found AS
SELECT 'complaints', complaint_id, [
    CASE WHEN no_client(client_id) THEN '4.2-dangling-reference|client_id' END,
    CASE WHEN no_user(handled_by) THEN '4.2-dangling-reference|handled_by' END,
    CASE WHEN handled_at < received_at THEN '4.2-date-order|handled_at' END,
    CASE WHEN late(plus(received_at, INTERVAL 6 WEEK), handled_at) THEN '12.1-complaint-not-handled' END
] FROM complaints;

-- The access log in three passes, each joining only what its events need: every event with its
-- user (if it is one), the parties' events with their party, the marketing events with the
-- client's consents and objections. The periods that cover an event's day are joined in the same
-- pass; an event that two periods cover comes twice out of that join, and once out of DISTINCT.
CREATE VIEW access_log_found AS
WITH e AS (
    SELECT a.event_id, a.actor_kind, a.action, a.data_category, a.purpose, CAST(a.ts AS DATE) AS day,
           u.user_id IS NOT NULL AS known, u.role, u.authorized_from, u.authorized_until,
           u.confidentiality_signed_at, u.special_data_access
    FROM access_log a
    LEFT JOIN users u ON a.actor_kind = 'user' AND u.user_id = a.actor_id
), flags AS (
    SELECT event_id,
        purpose IS NULL OR purpose NOT IN ('reintegration', 'participation', 'administration', 'legal_obligation',
                                           'marketing') AS purpose_not_allowed,
        data_category = 'special' AND (purpose IS NULL OR purpose NOT IN ('reintegration', 'legal_obligation'))
            AS special_without_need,
        actor_kind = 'user' AND NOT known AS unknown_user,
        known AND (day < authorized_from OR day > authorized_until) AS outside_authorisation,
        known AND data_category = 'special' AND NOT special_data_access AS without_clearance,
        known AND (confidentiality_signed_at IS NULL OR confidentiality_signed_at > day) AS no_confidentiality,
        actor_kind NOT IN ('user', 'party') AS odd_actor_kind,
        action NOT IN ('read', 'write', 'export', 'print', 'delete') AS odd_action,
        data_category NOT IN ('general', 'special', 'fiscal') AS odd_data_category
    FROM e
)
SELECT DISTINCT 'access_log', event_id, [
    CASE WHEN purpose_not_allowed THEN '3.2-purpose-not-allowed' END,
    CASE WHEN special_without_need THEN '4.4-special-data-without-need' END,
    CASE WHEN unknown_user THEN '5.1-unknown-actor' END,
    CASE WHEN outside_authorisation THEN '5.1-outside-authorisation' END,
    CASE WHEN without_clearance THEN '5.1-special-data-without-clearance' END,
    CASE WHEN no_confidentiality THEN '5.2-no-confidentiality-statement' END,
    CASE WHEN odd_actor_kind THEN '4.2-unknown-code|actor_kind' END,
    CASE WHEN odd_action THEN '4.2-unknown-code|action' END,
    CASE WHEN odd_data_category THEN '4.2-unknown-code|data_category' END]
FROM flags
WHERE purpose_not_allowed OR special_without_need OR unknown_user OR outside_authorisation
   OR without_clearance OR no_confidentiality OR odd_actor_kind OR odd_action OR odd_data_category
UNION ALL
SELECT DISTINCT 'access_log', a.event_id, [
    CASE WHEN p.party_id IS NULL THEN '5.1-unknown-actor' END,
    CASE WHEN p.party_id IS NOT NULL AND (p.agreement_signed_at IS NULL OR p.agreement_signed_at > CAST(a.ts AS DATE)
                                          OR NOT p.confidentiality) THEN '5.3-third-party-without-agreement' END,
    CASE WHEN p.kind = 'commissioner' AND t.client_id IS NULL THEN '5.3-third-party-no-need-to-know' END]
FROM access_log a
LEFT JOIN parties p ON p.party_id = a.actor_id
LEFT JOIN commissioned t ON t.commissioner_id = a.actor_id AND t.client_id = a.client_id
                            AND t.since <= CAST(a.ts AS DATE) AND CAST(a.ts AS DATE) <= t.until
WHERE a.actor_kind = 'party'
  AND (p.party_id IS NULL OR p.agreement_signed_at IS NULL OR p.agreement_signed_at > CAST(a.ts AS DATE)
       OR NOT p.confidentiality OR p.kind = 'commissioner' AND t.client_id IS NULL)
UNION ALL
SELECT DISTINCT 'access_log', a.event_id, [
    CASE WHEN m.client_id IS NULL THEN '10.1-marketing-processing-without-consent' END,
    CASE WHEN o.objected_at < CAST(a.ts AS DATE) THEN '10.2-marketing-processing-after-objection' END]
FROM access_log a
LEFT JOIN marketing_consent m ON m.client_id = a.client_id
                                 AND m.since <= CAST(a.ts AS DATE) AND CAST(a.ts AS DATE) <= m.until
LEFT JOIN first_objection o ON o.client_id = a.client_id
WHERE a.purpose = 'marketing' AND (m.client_id IS NULL OR o.objected_at < CAST(a.ts AS DATE));

-- Rule 5.1-access-unexplained in one pass over the known users' events: each explanation a flag from
-- a LEFT JOIN to the periods (or days) of its dataset grouped by user and client, tested with a lambda;
-- the counts and the unexplained events' keys aggregated from the same pass.
CREATE MACRO covers(periods, d) AS coalesce(list_bool_or(list_transform(periods,
    lambda p: p.since <= d AND d <= p.until)), false);
CREATE TABLE explained_pass AS
WITH cl AS (SELECT user_id, client_id, list({'since': since, 'until': until}) AS periods FROM assigned GROUP BY ALL),
mg AS (SELECT m.manager_id AS user_id, s.client_id, list({'since': s.since, 'until': s.until}) AS periods
       FROM users m JOIN assigned s ON s.user_id = m.user_id WHERE m.manager_id IS NOT NULL GROUP BY ALL),
rq AS (SELECT handled_by AS user_id, client_id,
              list({'since': received_at, 'until': CAST(coalesce(executed_at, decided_at, audit_date()) + INTERVAL 14 DAY AS DATE)}) AS periods
       FROM requests WHERE handled_by IS NOT NULL GROUP BY ALL),
cp AS (SELECT handled_by AS user_id, client_id,
              list({'since': received_at, 'until': CAST(coalesce(handled_at, audit_date()) + INTERVAL 14 DAY AS DATE)}) AS periods
       FROM complaints WHERE handled_by IS NOT NULL GROUP BY ALL),
ds AS (SELECT DISTINCT disclosed_by AS user_id, client_id, CAST(disclosed_at AS DATE) AS day FROM disclosures),
rc AS (SELECT DISTINCT created_by AS user_id, client_id, created_at AS day FROM records),
tr AS (SELECT client_id, list({'since': start_date, 'until': coalesce(plus(end_date, INTERVAL 3 MONTH), DATE '9999-12-31')})
              AS periods FROM trajectories GROUP BY ALL),
e AS (SELECT a.event_id, a.actor_id, a.client_id, a.purpose, a.data_category, CAST(a.ts AS DATE) AS day, u.role
      FROM access_log a JOIN users u ON u.user_id = a.actor_id WHERE a.actor_kind = 'user'),
flags AS (
    SELECT e.event_id,
        covers(cl.periods, e.day) AS caseload, covers(mg.periods, e.day) AS manager,
        covers(rq.periods, e.day) AS request, covers(cp.periods, e.day) AS complaint,
        ds.day IS NOT NULL AS disclosure, rc.day IS NOT NULL AS record,
        coalesce(e.role = 'administration' AND e.purpose IN ('administration', 'legal_obligation')
                 AND e.data_category <> 'special', false) AND covers(tr.periods, e.day) AS administration
    FROM e
    LEFT JOIN cl ON cl.user_id = e.actor_id AND cl.client_id = e.client_id
    LEFT JOIN mg ON mg.user_id = e.actor_id AND mg.client_id = e.client_id
    LEFT JOIN rq ON rq.user_id = e.actor_id AND rq.client_id = e.client_id
    LEFT JOIN cp ON cp.user_id = e.actor_id AND cp.client_id = e.client_id
    LEFT JOIN ds ON ds.user_id = e.actor_id AND ds.client_id = e.client_id AND ds.day = e.day
    LEFT JOIN rc ON rc.user_id = e.actor_id AND rc.client_id = e.client_id AND rc.day = e.day
    LEFT JOIN tr ON tr.client_id = e.client_id
)
SELECT count(*) AS population, count_if(caseload) AS caseload, count_if(manager) AS manager,
       count_if(request) AS request, count_if(complaint) AS complaint, count_if(disclosure) AS disclosure,
       count_if(record) AS record, count_if(administration) AS administration,
       list(event_id) FILTER (WHERE NOT (caseload OR manager OR request OR complaint OR disclosure OR record
                                         OR administration)) AS unexplained
FROM flags;

CREATE TABLE explained AS
SELECT unnest(['population', 'caseload', 'manager', 'request', 'complaint', 'disclosure', 'record',
               'administration']) AS explanation,
       unnest([population, caseload, manager, request, complaint, disclosure, record, administration]) AS rows
FROM explained_pass;

CREATE VIEW unexplained_found AS
SELECT 'access_log', unnest(unexplained), ['5.1-access-unexplained'] FROM explained_pass;

-- Rule 6.1: the next event in time order (then by key); a gap keyed by the last event before it.
CREATE VIEW gaps_found AS
SELECT 'access_log', event_id, ['6.1-access-log-gap']
FROM (SELECT event_id, ts, lead(ts) OVER (ORDER BY ts, event_id) AS following FROM access_log)
WHERE following > ts + INTERVAL 4 DAY;

-- Rule 1.1: the columns of each file that the contract does not list.
CREATE VIEW unlisted_found AS
SELECT table_name, NULL, ['1.1-unlisted-data-category|' || column_name]
FROM information_schema.columns i
WHERE table_name IN (SELECT dataset FROM contract_columns)
  AND NOT EXISTS (SELECT 1 FROM contract_columns c WHERE c.dataset = i.table_name AND c.col = i.column_name);

CREATE VIEW findings AS
SELECT split_part(finding, '|', 1) AS rule, dataset, key, nullif(split_part(finding, '|', 2), '') AS col
FROM (
    SELECT dataset, key, unnest(list_filter(found, lambda f: f IS NOT NULL)) AS finding
    FROM (SELECT * FROM clients_found UNION ALL SELECT * FROM trajectories_found
          UNION ALL SELECT * FROM contacts_found UNION ALL SELECT * FROM records_found
          UNION ALL SELECT * FROM users_found UNION ALL SELECT * FROM caseload_found
          UNION ALL SELECT * FROM parties_found UNION ALL SELECT * FROM disclosures_found
          UNION ALL SELECT * FROM consents_found UNION ALL SELECT * FROM requests_found
          UNION ALL SELECT * FROM objections_found UNION ALL SELECT * FROM marketing_found
          UNION ALL SELECT * FROM complaints_found UNION ALL SELECT * FROM access_log_found
          UNION ALL SELECT * FROM unexplained_found UNION ALL SELECT * FROM gaps_found
          UNION ALL SELECT * FROM unlisted_found)
);
