"""A realistic re-integration office: staff, parties, clients and their whole file.

Everything is drawn from one `random.Random`, in a fixed order, so a seed always gives
the same office. The background is mostly compliant, with the small, natural slips a
real office makes (a late decision, a report sent after the trajectory ended, a curious
colleague); the deliberate violations and near-misses are planted by `generate.py`.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any, Iterator

Row = dict[str, Any]
DAY = timedelta(days=1)

MALE = ("Eëlco", "Noël", "Daniël", "Raphaël", "Joël", "Bram", "Daan", "Sem", "Thijs", "Joris", "Maarten",
        "Henk", "Kees", "Pieter", "Jan", "Mohamed", "Rachid", "Youssef", "Emre", "Tomasz", "Gijs", "Luuk",
        "Ruud", "Stijn", "Jeroen", "Sjoerd", "Wouter", "Anouar", "Michiel", "René")
FEMALE = ("Zoë", "Chloë", "Anaïs", "Joëlle", "Inès", "Noëlle", "Sanne", "Lotte", "Femke", "Fleur", "Ilse",
          "Ingrid", "Marieke", "Anouk", "Sophie", "Fatima", "Samira", "Ayşe", "Özlem", "Agnieszka", "Esther",
          "Wilma", "Gerda", "Mirjam", "Petra", "Naïma", "Loïs", "Daphne", "Saskia", "Renée")
NEUTRAL = ("Sam", "Robin", "Kim", "Noa", "Jip", "Charlie")
SURNAMES = ("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
            "Dijkstra", "de Graaf", "van der Meer", "van der Linden", "Kok", "de Haan", "Vermeulen",
            "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "van der Heijden", "Schouten",
            "van Beek", "Willems", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "van Dam", "Ruïne",
            "Daniëls", "Ariëns", "Boëtius", "Geërts", "El Amrani", "Yılmaz", "Kowalski", "Öztürk", "Çelik",
            "ter Horst", "van 't Hof", "Bouzid")
CITIES = (("Amsterdam", "020", 1011, 1109), ("Rotterdam", "010", 3011, 3089), ("Den Haag", "070", 2491, 2599),
          ("Utrecht", "030", 3511, 3585), ("Eindhoven", "040", 5611, 5658), ("Groningen", "050", 9711, 9747),
          ("Tilburg", "013", 5011, 5049), ("Almere", "036", 1311, 1364), ("Breda", "076", 4811, 4839),
          ("Nijmegen", "024", 6511, 6546), ("Arnhem", "026", 6811, 6846), ("Haarlem", "023", 2011, 2037),
          ("Zwolle", "038", 8011, 8043), ("Leeuwarden", "058", 8911, 8939), ("Maastricht", "043", 6211, 6229),
          ("'s-Hertogenbosch", "073", 5211, 5249), ("Sneek", "0515", 8601, 8608), ("Enschede", "053", 7511, 7548),
          ("Dordrecht", "078", 3311, 3319), ("Leiden", "071", 2311, 2334))
STREETS = ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianastraat",
           "Beatrixlaan", "Wilhelminastraat", "Hoofdstraat", "Van Goghlaan", "Rembrandtlaan", "Oranjestraat",
           "Lindelaan", "Eikenlaan", "Industrieweg", "Burgemeester Visserstraat", "Händelstraat",
           "Curaçaostraat", "Piet Heinstraat", "Zuiderdiep", "Brinkstraat", "Kanaalweg")
HOUSE_SUFFIX = ("", "", "", "", "A", "B", "-II", " bis", " hs")
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"
BENEFITS = ("WW", "WW", "WIA", "WGA", "IVA", "ZW", "Wajong", "Participatiewet", "Participatiewet", "Ioaw", None)
EDUCATION = ("vmbo-basis", "vmbo-kader (diploma)", "mbo 2 Logistiek", "mbo 3 Zorg en Welzijn",
             "mbo 4 Administratie (diploma)", "havo", "vwo", "hbo Bedrijfskunde", "hbo Social Work (diploma)",
             "wo Rechten", "praktijkonderwijs", "geen startkwalificatie", "inburgering B1", None)
WORK = ("magazijnmedewerker, 6 jaar", "schoonmaker, 3 jaar", "administratief medewerker, 10 jaar",
        "chauffeur C/E, 12 jaar", "verkoopmedewerker", "horeca (bediening), 4 jaar", "helpende zorg, 2 jaar",
        "productiemedewerker", "callcenter, 1 jaar", "geen", "vrijwilligerswerk buurthuis", None)
NATIONALITY = ("Nederlandse",) * 12 + ("Marokkaanse", "Turkse", "Syrische", "Poolse", "Eritrese", "Surinaamse", None)
RELIGION = (None,) * 8 + ("islamitisch", "rooms-katholiek", "protestants", "geen")
EXTRA_CLIENT_COLUMNS = ("nationality", "religion")  # not in art. 1.1: rule 1.1 must report both
PARTIES = (  # name, kind, agreement (years before A, or None), confidentiality
    ("UWV", "commissioner", 11, True), ("Gemeente Amsterdam", "commissioner", 10, True),
    ("Gemeente Rotterdam", "commissioner", 9, True), ("Gemeente Utrecht", "commissioner", 8, True),
    ("Gemeente Súdwest-Fryslân", "commissioner", 6, True), ("Achmea Inkomensverzekeringen", "commissioner", 7, True),
    ("Bouwbedrijf Dijkstra B.V.", "commissioner", 4, True), ("Salarisverwerking Noord B.V.", "processor", 9, True),
    ("DossierCloud B.V.", "processor", 6, True), ("Belastingdienst", "third_party", None, False),
    ("Sociale Verzekeringsbank", "third_party", None, False), ("Arbo Unie", "third_party", 8, True),
    ("Bedrijfsartsenpraktijk Maas", "third_party", 5, True), ("Uitzendbureau Werkpunt", "third_party", 3, True),
    ("Stichting Schuldhulpmaatje", "third_party", None, False),
)
LEGAL_GROUNDS = {"Belastingdienst": "art. 53 AWR", "Sociale Verzekeringsbank": "art. 54 Wet SUWI",
                 "UWV": "art. 30c Wet SUWI"}
REASONS = ("wettelijke bewaarplicht (art. 52 AWR)", "de gegevens zijn juist en volledig",
           "belang van derden weegt zwaarder (art. 8.3)", "verzoek kennelijk ongegrond")


def plus_months(d: date, months: int) -> date:
    """Calendar months, clamped to the month's end; the generator's own, independent of the oracle."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(d.day, (first_of_next - DAY).day))


def at(d: date, seconds: int) -> datetime:
    """A local timestamp `seconds` after midnight of `d`."""
    return datetime(d.year, d.month, d.day) + timedelta(seconds=seconds)


def valid_bsn(rng: Random, first: str | None = None) -> str:
    """Nine digits passing the elfproef (the first digit may be 0)."""
    while True:
        head = (first or str(rng.randint(1, 6))) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        check = sum(w * int(c) for w, c in zip(range(9, 1, -1), head)) % 11
        if check < 10:
            return head + str(check)


@dataclass
class World:
    """The office being built: every small dataset, plus who may act when."""

    rng: Random
    as_of: date
    params: dict[str, int]
    tables: dict[str, list[Row]] = field(default_factory=dict)
    planted_actors: set[str] = field(default_factory=set)  # kept out of the background log
    planted_events: list[Row] = field(default_factory=list)  # merged into the log on their day
    workers: list[Row] = field(default_factory=list)  # case workers; the first three never leave
    files: dict[str, list[Row]] = field(default_factory=dict)  # records by client, for deletions

    def add(self, dataset: str, **row: Any) -> Row:
        self.tables.setdefault(dataset, []).append(row)
        return row

    def pick(self, options: tuple | list) -> Any:
        return options[int(self.rng.random() * len(options))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, start: date, end: date) -> date:
        """A uniformly random day in [start, end] (start when the range is empty)."""
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def office_hours(self, d: date) -> datetime:
        return at(d, self.rng.randint(8 * 3600, 17 * 3600 + 1800))

    @property
    def office_start(self) -> date:
        return plus_months(self.as_of, -12 * 12)

    def users(self, *roles: str) -> list[Row]:
        return [u for u in self.tables["users"] if u["role"] in roles and u["user_id"] not in self.planted_actors]

    def parties(self, kind: str) -> list[Row]:
        return [p for p in self.tables["parties"] if p["kind"] == kind and p["party_id"] not in self.planted_actors]

    def party(self, name: str) -> Row:
        return next(p for p in self.tables["parties"] if p["name"] == name)


# --- people ----------------------------------------------------------------------------

def person(w: World) -> tuple[str, str]:
    """A Dutch name and a gender (`M`, `V`, `X`)."""
    gender = w.pick("MMMMVVVVVX")
    first = w.pick({"M": MALE, "V": FEMALE, "X": NEUTRAL}[gender])
    return f"{first} {w.pick(SURNAMES)}", gender


def phone(w: World, area: str) -> str:
    if w.chance(0.6):
        return w.pick(("06-", "+31 6 ")) + f"{w.rng.randint(10_000_000, 99_999_999)}"
    return f"{area}-{w.rng.randint(10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)}"


def client_row(w: World, client_id: str, registered_at: date) -> Row:
    """A client as the case-management system holds them (plus two unlisted columns)."""
    name, gender = person(w)
    city, area, low, high = w.pick(CITIES)
    birth = registered_at - timedelta(days=w.rng.randint(18 * 365, 64 * 365))
    postcode = f"{w.rng.randint(low, high)} {w.pick(POSTCODE_LETTERS)}{w.pick(POSTCODE_LETTERS)}"
    return w.add("clients", client_id=client_id, name=name,
                 address=f"{w.pick(STREETS)} {w.rng.randint(1, 180)}{w.pick(HOUSE_SUFFIX)}",
                 postcode=postcode, city=city, gender=gender, birth_date=birth,
                 bsn=valid_bsn(w.rng, "0" if w.chance(0.08) else None), phone=phone(w, area),
                 benefit=w.pick(BENEFITS), education=w.pick(EDUCATION), work_experience=w.pick(WORK),
                 registered_at=registered_at, nationality=w.pick(NATIONALITY), religion=w.pick(RELIGION))


def add_user(w: World, role: str, start: date, until: date | None = None, signed: date | None = None,
             special: bool = False, planted: bool = False) -> Row:
    users = w.tables.setdefault("users", [])
    user = w.add("users", user_id=f"U{len(users) + 1:04d}", name=person(w)[0], role=role, authorized_from=start,
                 authorized_until=until, confidentiality_signed_at=signed, special_data_access=special)
    if planted:
        w.planted_actors.add(user["user_id"])
    return user


def add_party(w: World, name: str, kind: str, signed: date | None, confidential: bool, planted: bool = False) -> Row:
    parties = w.tables.setdefault("parties", [])
    party = w.add("parties", party_id=f"P{len(parties) + 1:03d}", name=name, kind=kind,
                  agreement_signed_at=signed, confidentiality=confidential)
    if planted:
        w.planted_actors.add(party["party_id"])
    return party


def build_staff(w: World, clients: int) -> None:
    """Case workers (one per ~35 clients, some gone, some new), administration and management."""
    workers = max(8, -(-clients // 35))
    span = (w.as_of - w.office_start).days
    for i in range(workers):
        role = ("jobcoach", "advisor", "intern")[0 if i < 3 else int(w.rng.random() ** 1.5 * 3)]
        start = w.office_start if i < 3 else w.office_start + timedelta(days=w.rng.randint(0, span - 60))
        leaves = min(start + timedelta(days=w.rng.randint(300, 2500)), w.as_of - DAY)
        until = None if i < 3 or w.chance(0.75) else leaves
        w.workers.append(add_user(w, role, start, until, start - timedelta(days=w.rng.randint(0, 14)),
                                  special=role != "intern" and w.chance(0.85)))
    for role, count in (("administration", max(2, workers // 6)), ("management", max(1, workers // 12))):
        for _ in range(count):
            start = w.office_start + timedelta(days=w.rng.randint(0, span // 2))
            add_user(w, role, start, None, start, special=role == "management")


def build_parties(w: World) -> None:
    for name, kind, years, confidential in PARTIES:
        signed = None if years is None else plus_months(w.as_of, -12 * years) + timedelta(days=w.rng.randint(0, 200))
        add_party(w, name, kind, signed, confidential)


# --- a client's file -------------------------------------------------------------------

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
            return periods
        periods.append(w.add("caseload", user_id=user["user_id"], client_id=client_id, assigned_from=d,
                             assigned_until=until))
        d = until + DAY


def worker_on(periods: list[Row], d: date) -> str:
    return next((p["user_id"] for p in periods if p["assigned_from"] <= d and
                 (p["assigned_until"] is None or d <= p["assigned_until"])), periods[-1]["user_id"])


def record(w: World, client_id: str, category: str, created: date, deleted: date | None = None,
           informed: date | None = None, by: str | None = None) -> Row:
    row = w.add("records", client_id=client_id, category=category, created_at=created, deleted_at=deleted,
                subject_informed_at=informed, created_by=by or w.pick(w.workers)["user_id"])
    w.files.setdefault(client_id, []).append(row)
    return row


def disclosure(w: World, client_id: str, receiver: Row, when: datetime, categories: list[str], basis: str | None,
               legal_ground: str | None = None, consent: Row | None = None) -> Row:
    """A verstrekking; `consent_id` holds the consent row until `generate` has numbered it."""
    return w.add("disclosures", client_id=client_id, party_id=receiver["party_id"], disclosed_at=when,
                 categories=categories, basis=basis, legal_ground=legal_ground, consent_id=consent)


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
        w.add("contacts", client_id=cid, user_id=worker_on(periods, d), contact_date=d,
              channel=w.pick(("meeting",) * 5 + ("phone",) * 3 + ("email",) * 2 + ("letter",)))
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
        disclosure(w, cid, commissioner, w.office_hours(w.between(start, last)), ["general"], "reintegration_agreement")
    if end is not None and end + timedelta(days=10) < w.as_of and w.chance(0.02):  # the final report, sent late
        disclosure(w, cid, commissioner, w.office_hours(end + timedelta(days=w.rng.randint(1, 10))), ["general"],
                   "reintegration_agreement")


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
    disclosure(w, cid, receiver, w.office_hours(sent), categories, "consent", consent=consent)


def legal_disclosure(w: World, cid: str, first: date, last: date) -> None:
    receiver = w.party(w.pick(("Belastingdienst", "Sociale Verzekeringsbank", "UWV")))
    disclosure(w, cid, receiver, w.office_hours(w.between(first, last)), [w.pick(("fiscal", "general"))],
               "legal_obligation", LEGAL_GROUNDS[receiver["name"]])


def request(w: World, cid: str, first: date, last: date) -> None:
    """A request of the Betrokkene, mostly decided, heard and executed within its term."""
    received = w.between(first, min(last + timedelta(days=180), w.as_of - DAY))
    kind = w.pick(("access",) * 5 + ("correction",) * 2 + ("deletion",) * 2 + ("supplement", "restriction"))
    representative = w.chance(0.08)
    row = w.add("requests", client_id=cid, type=kind, received_at=received,
                requester="representative" if representative else "subject", identity_verified=w.chance(0.97),
                mandate_verified=w.chance(0.9) if representative else None, collector_heard_at=None,
                decided_at=None, decision=None, decision_reason=None, decision_in_writing=None, executed_at=None)
    decided = received + timedelta(days=w.rng.randint(3, 24) if w.chance(0.96) else w.rng.randint(30, 60))
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
    received = w.between(first, min(last + timedelta(days=60), w.as_of - DAY))
    handled = received + timedelta(days=w.rng.randint(5, 40) if w.chance(0.95) else w.rng.randint(43, 80))
    w.add("complaints", client_id=cid, received_at=received, handled_at=handled if handled < w.as_of else None)


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


# --- the access log ----------------------------------------------------------------------

ACTIONS = ("read",) * 14 + ("write",) * 5 + ("print", "export")
CLEARED = ("general",) * 8 + ("special",) * 2 + ("fiscal",)
UNCLEARED = ("general",) * 10 + ("fiscal",)
PURPOSE_MIX = ("reintegration",) * 6 + ("participation",) * 2 + ("administration",)
TYPED_PURPOSES = ("Reintegration", "re-integratie", "dossiercontrole", None, "nieuwsgierig", " ")
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.06, 0.03)


class ActiveCaseload:
    """The caseload periods in force on a day, kept current as the days advance in order."""

    def __init__(self, periods: list[Row]) -> None:
        self.pending = sorted(periods, key=lambda p: p["assigned_from"])
        self.next = 0
        self.items: list[int] = []  # indexes into pending, in no order
        self.slot: dict[int, int] = {}  # index -> position in items
        self.ends: list[tuple[date, int]] = []  # heap of (assigned_until, index)

    def advance(self, d: date) -> None:
        while self.next < len(self.pending) and self.pending[self.next]["assigned_from"] <= d:
            i, until = self.next, self.pending[self.next]["assigned_until"]
            self.next += 1
            if until is None or until >= d:
                self.slot[i] = len(self.items)
                self.items.append(i)
                if until is not None:
                    heapq.heappush(self.ends, (until, i))
        while self.ends and self.ends[0][0] < d:
            _, i = heapq.heappop(self.ends)
            position, moved = self.slot.pop(i), self.items.pop()
            if moved != i:
                self.items[position], self.slot[moved] = moved, position

    def pick(self, rng: Random) -> Row:
        return self.pending[self.items[int(rng.random() * len(self.items))]]


def background_log(w: World, total: int, first: date, last: date) -> Iterator[tuple[date, list[Row]]]:
    """About `total` events over [first, last], day by day and in time order, mostly case workers
    opening files of their own caseload during office hours."""
    active = ActiveCaseload([p for p in w.tables["caseload"] if p["user_id"] not in w.planted_actors])
    users = {u["user_id"]: u for u in w.tables["users"]}
    office, processors = w.users("administration", "management"), w.parties("processor")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
    rate, carry = total / sum(weights), 0.0
    for d, weight in zip(days, weights):
        carry += weight * rate
        count = int(carry)
        carry -= count
        active.advance(d)
        midnight = datetime(d.year, d.month, d.day)
        count = count if active.items else 0
        events = [log_event(w, active, users, office, processors, midnight) for _ in range(count)]
        events.sort(key=lambda e: e["ts"])
        yield d, events


def log_event(w: World, active: ActiveCaseload, users: dict[str, Row], office: list[Row], processors: list[Row],
              midnight: datetime) -> Row:
    rng, period = w.rng, active.pick(w.rng)
    hours = 8 * 3600 + int(rng.random() * 34200) if rng.random() < 0.97 else 18 * 3600 + int(rng.random() * 14400)
    event = {"event_id": None, "ts": midnight + timedelta(seconds=hours), "actor_id": period["user_id"],
             "actor_kind": "user", "client_id": period["client_id"], "action": w.pick(ACTIONS),
             "data_category": "general", "purpose": w.pick(PURPOSE_MIX)}
    r = rng.random()
    if r < 0.9:
        event["data_category"] = w.pick(CLEARED if users[period["user_id"]]["special_data_access"] else UNCLEARED)
    elif r < 0.96:
        event.update(actor_id=w.pick(office)["user_id"], data_category=w.pick(("general", "fiscal")),
                     purpose="administration")
    elif r < 0.985 and processors:
        event.update(actor_id=w.pick(processors)["party_id"], actor_kind="party", action=w.pick(("read", "export")),
                     data_category=w.pick(("general", "fiscal")), purpose="administration")
    else:  # the slips of a real office: a curious look, a typed purpose, special data without clearance
        slip = rng.random()
        if slip < 0.4:
            event["client_id"] = active.pick(rng)["client_id"]
        elif slip < 0.7:
            event["purpose"] = w.pick(TYPED_PURPOSES)
        else:
            event["data_category"] = "special"
    return event
