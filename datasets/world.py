"""A realistic re-integration office: its staff, its parties and its clients' particulars.

Everything is drawn from one `random.Random`, in a fixed order, so a seed always gives
the same office. A client's file lives in `client_file.py`, the background access log in
`background_log.py`; the deliberate violations and near-misses are planted by the
`planted_*.py` modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

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
NOTES = (None,) * 4 + ("sollicitatiebrief besproken", "belde af, nieuwe afspraak", "werkplek bezocht",
                       "klachten rug, afspraak bedrijfsarts", "cv bijgewerkt", "geen gehoor")
# Columns the office's system exports but the contract does not list: rule 1.1 must report each.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"clients": ("nationality", "religion"), "contacts": ("notes",)}
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
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)  # no background event from … to …
    workers: list[Row] = field(default_factory=list)  # case workers; the first three never leave
    staff: dict[str, list[str]] = field(default_factory=dict)  # administration and management: their user ids
    caseloads: dict[str, list[Row]] = field(default_factory=dict)  # caseload periods by client, as assigned
    files: dict[str, list[Row]] = field(default_factory=dict)  # records by client, for deletions
    empty_strings: bool = False  # the export format keeps an empty string apart from null (not CSV)
    bsns: set[str] = field(default_factory=set)  # issued so far: an office gives each BSN to one client

    @property
    def emptiest(self) -> tuple[str, str]:
        """The emptiest text the format keeps apart from null, and its words for a note: an empty string, or
        in CSV, which writes an empty string as null, one space (empty all the same: `oracle_conventions.empty`).
        A trap planted with it is a row of every format alike, so that one seed gives the same rows in each."""
        return ("", "an empty string") if self.empty_strings else (" ", "a blank (CSV holds no empty string)")

    def new_bsn(self, first: str | None = None) -> str:
        """A valid BSN no client has yet (duplicates are planted, never drawn by chance)."""
        while (bsn := valid_bsn(self.rng, first)) in self.bsns:
            pass
        self.bsns.add(bsn)
        return bsn

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
    """A client as the case-management system holds them (plus the unlisted `EXTRA_COLUMNS`)."""
    name, gender = person(w)
    city, area, low, high = w.pick(CITIES)
    birth = registered_at - timedelta(days=w.rng.randint(18 * 365, 64 * 365))
    postcode = f"{w.rng.randint(low, high)} {w.pick(POSTCODE_LETTERS)}{w.pick(POSTCODE_LETTERS)}"
    return w.add("clients", client_id=client_id, name=name,
                 address=f"{w.pick(STREETS)} {w.rng.randint(1, 180)}{w.pick(HOUSE_SUFFIX)}",
                 postcode=postcode, city=city, gender=gender, birth_date=birth,
                 bsn=w.new_bsn("0" if w.chance(0.08) else None), phone=phone(w, area),
                 benefit=w.pick(BENEFITS), education=w.pick(EDUCATION), work_experience=w.pick(WORK),
                 registered_at=registered_at, nationality=w.pick(NATIONALITY), religion=w.pick(RELIGION))


def add_user(w: World, role: str, start: date, until: date | None = None, signed: date | None = None,
             special: bool = False, planted: bool = False, manager: str | None = None) -> Row:
    users = w.tables.setdefault("users", [])
    user = w.add("users", user_id=f"U{len(users) + 1:04d}", name=person(w)[0], role=role, authorized_from=start,
                 authorized_until=until, confidentiality_signed_at=signed, special_data_access=special,
                 manager_id=manager)
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
    """Case workers (one per ~35 clients, some gone, some new), administration and management; every case
    worker and administrator reports to a manager (`manager_id`), the managers to nobody."""
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
    w.staff = {role: [u["user_id"] for u in w.tables["users"] if u["role"] == role]
               for role in ("administration", "management")}
    for user in w.tables["users"]:
        if user["role"] != "management":
            user["manager_id"] = w.pick(w.staff["management"])


def build_parties(w: World) -> None:
    for name, kind, years, confidential in PARTIES:
        signed = None if years is None else plus_months(w.as_of, -12 * years) + timedelta(days=w.rng.randint(0, 200))
        add_party(w, name, kind, signed, confidential)
