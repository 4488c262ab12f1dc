"""The declared, unpromised properties of `spec/data-contract.md`, copied by hand from its tables.

Rules `4.2-unknown-code`, `4.2-dangling-reference` and `4.2-date-order` read these. They
are written out here rather than read from the dataset schemas, so that the oracle stays
an independent reading of the spec: a schema that declares a vocabulary wrongly cannot
agree with it by construction. Part of the oracle: it must never import
`reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

# "Closed vocabularies": dataset → column → its values.
VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "clients": {"gender": ("M", "V", "X")},
    "trajectories": {"kind": ("reintegration", "jobcoaching", "support", "participation")},
    "contacts": {"channel": ("meeting", "phone", "email", "letter")},
    "records": {"category": ("general", "special", "fiscal", "deletion_statement")},
    "users": {"role": ("jobcoach", "advisor", "intern", "administration", "management")},
    "parties": {"kind": ("commissioner", "processor", "third_party")},
    "disclosures": {"categories": ("general", "special", "fiscal"),
                    "basis": ("consent", "legal_obligation", "reintegration_agreement")},
    "consents": {"purpose": ("disclosure", "marketing")},
    "requests": {"type": ("access", "supplement", "correction", "deletion", "restriction"),
                 "requester": ("subject", "representative"),
                 "decision": ("granted", "partial", "refused")},
    "marketing": {"purpose": ("commercial", "charitable")},
    "access_log": {"actor_kind": ("user", "party"),
                   "action": ("read", "write", "export", "print", "delete"),
                   "data_category": ("general", "special", "fiscal")},
}
# The vocabulary columns the dataset tables mark `?` (an empty value there is no unknown code).
NULLABLE_CODES = frozenset({("clients", "gender"), ("disclosures", "basis"), ("requests", "decision")})
# The one `list<string>` column: each element is judged.
LIST_CODES = frozenset({("disclosures", "categories")})

_CLIENT = ("clients", "client_id")
_USER = ("users", "user_id")
_PARTY = ("parties", "party_id")
# "References": dataset → column → the (dataset, column) it must name a row of.
REFERENCES: dict[str, dict[str, tuple[str, str]]] = {
    "trajectories": {"client_id": _CLIENT, "commissioner_id": _PARTY},
    "contacts": {"client_id": _CLIENT, "user_id": _USER},
    "records": {"client_id": _CLIENT, "created_by": _USER},
    "caseload": {"client_id": _CLIENT, "user_id": _USER},
    "users": {"manager_id": _USER},
    "disclosures": {"client_id": _CLIENT, "party_id": _PARTY, "consent_id": ("consents", "consent_id"),
                    "disclosed_by": _USER},
    "consents": {"client_id": _CLIENT, "party_id": _PARTY},
    "requests": {"client_id": _CLIENT, "handled_by": _USER},
    "objections": {"client_id": _CLIENT},
    "marketing": {"client_id": _CLIENT},
    "complaints": {"client_id": _CLIENT, "handled_by": _USER},
}

# "Date order": dataset → the later column → the earlier one it may not precede.
DATE_ORDER: dict[str, dict[str, str]] = {
    "trajectories": {"end_date": "start_date"},
    "records": {"deleted_at": "created_at"},
    "users": {"authorized_until": "authorized_from"},
    "caseload": {"assigned_until": "assigned_from"},
    "consents": {"withdrawn_at": "given_at"},
    "requests": {"decided_at": "received_at", "executed_at": "decided_at", "extended_at": "received_at"},
    "complaints": {"handled_at": "received_at"},
}

# "Every dataset with a time column states its period": dataset → the column whose earliest and latest value
# it is. The contract names `access_log.ts`, `contacts.contact_date`, `disclosures.disclosed_at` and
# `requests.received_at`; for the others the column that says when the row's fact was recorded or began.
PERIODS: dict[str, str] = {
    "clients": "registered_at", "trajectories": "start_date", "contacts": "contact_date", "records": "created_at",
    "users": "authorized_from", "caseload": "assigned_from", "parties": "agreement_signed_at",
    "disclosures": "disclosed_at", "consents": "given_at", "requests": "received_at", "objections": "objected_at",
    "marketing": "sent_at", "access_log": "ts", "complaints": "received_at",
}
