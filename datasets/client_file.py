"""A client's file: trajectories, caseload, contacts, records, disclosures, consents and requests.

The background is mostly compliant, with the small, natural slips a real office makes (a
late decision, a report sent after the trajectory ended); the planters reuse `guidance`,
`record` and `disclosure` for their crafted clients.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .world import DAY, NOTES, Row, World, client_row, plus_months

LEGAL_GROUNDS = {"Belastingdienst": "art. 53 AWR", "Sociale Verzekeringsbank": "art. 54 Wet SUWI",
                 "UWV": "art. 30c Wet SUWI"}
CHANNELS = ("meeting",) * 5 + ("phone",) * 3 + ("email",) * 2 + ("letter",)
REASONS = ("wettelijke bewaarplicht (art. 52 AWR)", "de gegevens zijn juist en volledig",
           "belang van derden weegt zwaarder (art. 8.3)", "verzoek kennelijk ongegrond")


def authorised(user: Row, d: date) -> bool:
    return user["authorized_from"] <= d and (user["authorized_until"] is None or d <= user["authorized_until"])


def pick_worker(w: World, d: date) -> Row:
    """A case worker authorised on `d`; a founding colleague when chance finds none."""
    for _ in range(40):
        user = w.pick(w.workers)
        if authorised(user, d):
            return user
    return w.workers[w.rng.randint(0, 2)]


def assign(w: World, client_id: str, start: date, end: date | None) -> list[Row]:
    """Caseload periods covering [start, end], handed over whenever a case worker leaves."""
    periods, d = [], start
    while True:
        user = pick_worker(w, d)
        until = user["authorized_until"]
        if until is None or (end is not None and until >= end):
            periods.append(w.add("caseload", user_id=user["user_id"], client_id=client_id, assigned_from=d,
                                 assigned_until=end))
            break
        periods.append(w.add("caseload", user_id=user["user_id"], client_id=client_id, assigned_from=d,
                             assigned_until=until))
        d = until + DAY
    w.caseloads.setdefault(client_id, []).extend(periods)
    return periods


def worker_on(periods: list[Row], d: date) -> str:
    return next((p["user_id"] for p in periods if p["assigned_from"] <= d and
                 (p["assigned_until"] is None or d <= p["assigned_until"])), periods[-1]["user_id"])


def contact(w: World, client_id: str, user_id: str, day: date, channel: str) -> Row:
    """A contact, with the free-text note the office's system keeps beside it (an unlisted column)."""
    return w.add("contacts", client_id=client_id, user_id=user_id, contact_date=day, channel=channel,
                 notes=w.pick(NOTES))


def record(w: World, client_id: str, category: str, created: date, deleted: date | None = None,
           informed: date | None = None, by: str | None = None) -> Row:
    row = w.add("records", client_id=client_id, category=category, created_at=created, deleted_at=deleted,
                subject_informed_at=informed, created_by=by or w.pick(w.workers)["user_id"])
    w.files.setdefault(client_id, []).append(row)
    return row


def disclosure(w: World, client_id: str, receiver: Row, when: datetime, categories: list[str], basis: str | None,
               legal_ground: str | None = None, consent: Row | str | None = None, by: str | None = None) -> Row:
    """A verstrekking by user `by` (None: not recorded); `consent_id` holds the consent row until `generate` has
    numbered it (or a planted id)."""
    return w.add("disclosures", client_id=client_id, party_id=receiver["party_id"], disclosed_at=when,
                 categories=categories, basis=basis, legal_ground=legal_ground, consent_id=consent, disclosed_by=by)


def sender(w: World, client_id: str, day: date) -> str | None:
    """Who sent a client's report on `day`: the case worker then, and now and then nobody recorded."""
    periods = w.caseloads.get(client_id)
    return None if not periods or w.chance(0.02) else worker_on(periods, day)


def guidance(w: World, client: Row, start: date, end: date | None, commissioner: Row | None = None,
             contacts: bool = True) -> None:
    """One trajectory: its caseload, contacts (the last one on the end date), file records and reports."""
    cid, last = client["client_id"], end or w.as_of - DAY
    commissioner = commissioner or w.pick(w.parties("commissioner")[:5] * 3 + w.parties("commissioner")[5:])
    kind = w.pick(("reintegration", "jobcoaching") if commissioner["name"] == "UWV" else
                  ("participation", "support", "reintegration", "jobcoaching"))
    w.add("trajectories", client_id=cid, commissioner_id=commissioner["party_id"], kind=kind, start_date=start,
          end_date=end)
    periods = assign(w, cid, start, end)
    d = start
    while contacts and d <= last:
        contact(w, cid, worker_on(periods, d), d, w.pick(CHANNELS))
        step = d + timedelta(days=w.rng.randint(14, 60))
        d = min(step, end) if end is not None and d < end else step
    record(w, cid, "general", start, by=worker_on(periods, start))
    for _ in range(w.rng.randint(1, 3)):
        day = w.between(start, last)
        record(w, cid, "general", day, by=worker_on(periods, day))
    if w.chance(0.35):
        day = w.between(start, last)
        informed = day if w.chance(0.93) else w.pick((None, day + timedelta(days=3), day - timedelta(days=7)))
        record(w, cid, "special", day, informed=informed, by=worker_on(periods, day))
    if w.chance(0.25):
        record(w, cid, "fiscal", w.between(start, last))
    for _ in range(w.rng.randint(1, 3)):
        day = w.between(start, last)
        disclosure(w, cid, commissioner, w.office_hours(day), ["general"], "reintegration_agreement",
                   by=sender(w, cid, day))
    if end is not None and end + timedelta(days=10) < w.as_of and w.chance(0.02):  # the final report, sent late
        day = end + timedelta(days=w.rng.randint(1, 10))
        disclosure(w, cid, commissioner, w.office_hours(day), ["general"], "reintegration_agreement",
                   by=sender(w, cid, day))


def background_client(w: World, client_id: str) -> Row:
    """A client registered in the last four years, with one to three trajectories and what follows."""
    registered = w.as_of - timedelta(days=int(w.rng.triangular(14, 1500, 200)))
    client = client_row(w, client_id, registered)
    periods: list[tuple[date, date | None]] = []
    start = min(registered + timedelta(days=w.rng.randint(0, 21)), w.as_of - DAY)
    while True:
        end = start + timedelta(days=w.rng.randint(120, 540))
        periods.append((start, end if end < w.as_of else None))
        if end >= w.as_of - timedelta(days=2) or len(periods) == 3 or not w.chance(0.25):
            break
        start = end + timedelta(days=w.rng.randint(1, 90))
    for start, end in periods:
        guidance(w, client, start, end)
    first, last = periods[0][0], periods[-1][1] or w.as_of - DAY
    for chance, step in ((0.2, consent_disclosure), (0.1, legal_disclosure), (0.1, request),
                         (0.12, marketing), (0.02, objection), (0.03, complaint)):
        if w.chance(chance):
            step(w, client_id, first, last)
    expire(w, client_id, periods)
    return client


def consent_disclosure(w: World, cid: str, first: date, last: date) -> None:
    receiver = w.pick([w.party(n) for n in ("Arbo Unie", "Bedrijfsartsenpraktijk Maas", "Uitzendbureau Werkpunt")])
    given = w.between(first, last)
    withdrawn = given + timedelta(days=w.rng.randint(60, 300)) if w.chance(0.1) else None
    named = None if w.chance(0.3) else receiver["party_id"]  # a consent without receiver covers any
    consent = w.add("consents", client_id=cid, purpose="disclosure", party_id=named,
                    given_at=given, withdrawn_at=withdrawn if withdrawn and withdrawn < w.as_of else None,
                    explicit=w.chance(0.95))
    medical = receiver["name"] != "Uitzendbureau Werkpunt" and w.chance(0.5)
    categories = ["general", "special"] if medical else ["general"]
    sent = min(given + timedelta(days=w.rng.randint(0, 30)), w.as_of - DAY)
    disclosure(w, cid, receiver, w.office_hours(sent), categories, "consent", consent=consent,
               by=sender(w, cid, sent))


def legal_disclosure(w: World, cid: str, first: date, last: date) -> None:
    """A disclosure the law requires, sent by the administration."""
    receiver = w.party(w.pick(("Belastingdienst", "Sociale Verzekeringsbank", "UWV")))
    disclosure(w, cid, receiver, w.office_hours(w.between(first, last)), [w.pick(("fiscal", "general"))],
               "legal_obligation", LEGAL_GROUNDS[receiver["name"]], by=w.pick(w.staff["administration"]))


def request(w: World, cid: str, first: date, last: date) -> None:
    """A request of the Betrokkene, handled by someone of the office's staff and mostly decided, heard and
    executed within its term. A slow one was usually extended (AVG art. 12(3)) and the client told so within
    the month, now and then only after it."""
    received = w.between(first, min(last + timedelta(days=180), w.as_of - DAY))
    kind = w.pick(("access",) * 5 + ("correction",) * 2 + ("deletion",) * 2 + ("supplement", "restriction"))
    representative = w.chance(0.08)
    handler = w.pick(w.staff["administration"] + w.staff["management"]) if w.chance(0.97) else None
    row = w.add("requests", client_id=cid, type=kind, received_at=received,
                requester="representative" if representative else "subject", identity_verified=w.chance(0.97),
                mandate_verified=w.chance(0.9) if representative else None, collector_heard_at=None,
                decided_at=None, decision=None, decision_reason=None, decision_in_writing=None, executed_at=None,
                handled_by=handler, extended_at=None)
    slow = not w.chance(0.88 if kind == "access" else 0.96)
    decided = received + timedelta(days=w.rng.randint(30, 85) if slow else w.rng.randint(3, 24))
    if slow and w.chance(0.85):  # told of the extension: mostly within the first month, else a few days after it
        told = received + timedelta(days=w.rng.randint(7, 27)) if w.chance(0.8) else \
            plus_months(received, w.params["access_months"]) + timedelta(days=w.rng.randint(1, 6))
        row["extended_at"] = told if told < w.as_of else None
    if decided < w.as_of:
        decide(w, row, decided)


def decide(w: World, row: Row, decided: date) -> None:
    decision = w.pick(("granted",) * 14 + ("partial",) * 3 + ("refused",) * 3)
    row.update(decided_at=decided, decision=decision, decision_in_writing=w.chance(0.96) or w.pick((False, None)),
               decision_reason=w.pick(REASONS) if decision == "refused" and w.chance(0.97) else None)
    if row["type"] == "access":
        return
    if w.chance(0.95):
        row["collector_heard_at"] = max(row["received_at"], decided - timedelta(days=w.rng.randint(0, 4)))
    executed = decided + timedelta(days=w.rng.randint(0, 10) if w.chance(0.97) else w.rng.randint(15, 30))
    if decision != "refused" and executed < w.as_of:
        row["executed_at"] = executed
        if row["type"] == "deletion":
            erase(w, row["client_id"], executed)


def erase(w: World, cid: str, day: date) -> None:
    """Carry out a deletion: general records go, and (nearly always) a statement of it is kept."""
    for r in w.files.get(cid, ()):
        if r["category"] == "general" and r["deleted_at"] is None and r["created_at"] <= day:
            r["deleted_at"] = day
    if w.chance(0.97):
        record(w, cid, "deletion_statement", day)


def marketing(w: World, cid: str, first: date, last: date) -> None:
    given = w.between(first, last)
    w.add("consents", client_id=cid, purpose="marketing", party_id=None, given_at=given, withdrawn_at=None,
          explicit=w.chance(0.95))
    objected = w.between(given, w.as_of - DAY) if w.chance(0.25) else None
    if objected:
        w.add("objections", client_id=cid, objected_at=objected)
    for _ in range(w.rng.randint(1, 3)):
        sent = given + timedelta(days=w.rng.randint(1, 400))
        if sent < w.as_of and (objected is None or sent <= objected or w.chance(0.1)):
            w.add("marketing", client_id=cid, sent_at=w.office_hours(sent),
                  purpose=w.pick(("commercial", "charitable")))


def objection(w: World, cid: str, first: date, last: date) -> None:
    w.add("objections", client_id=cid, objected_at=w.between(first, last))


def complaint(w: World, cid: str, first: date, last: date) -> None:
    """A complaint, handled by a manager, mostly within its term."""
    received = w.between(first, min(last + timedelta(days=60), w.as_of - DAY))
    handled = received + timedelta(days=w.rng.randint(5, 40) if w.chance(0.95) else w.rng.randint(43, 80))
    w.add("complaints", client_id=cid, received_at=received, handled_at=handled if handled < w.as_of else None,
          handled_by=w.pick(w.staff["management"]))


def expire(w: World, cid: str, periods: list[tuple[date, date | None]]) -> None:
    """After guidance plus the retention term, the office usually deletes the general and special records."""
    last_end = periods[-1][1]
    if last_end is None:
        return
    due = plus_months(last_end, 12 * w.params["retention_years"])
    if due < w.as_of - timedelta(days=60) and w.chance(0.85):
        for r in w.files.get(cid, ()):
            if r["category"] in ("general", "special") and r["deleted_at"] is None:
                r["deleted_at"] = min(due + timedelta(days=w.rng.randint(1, 60)), w.as_of - DAY)
