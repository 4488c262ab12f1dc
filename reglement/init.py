"""`reglement init`: a new rule pack that compiles and passes its own test from the first minute.

The skeleton has a data contract of two datasets (files with a closed vocabulary, a
reference to a data subject and a pair of dates), an article with one rule — with an
example on each side of its boundary — and one manual control, and an article whose
contract rules judge every declaration of the contract (a code outside its list, a
reference to no row, an end before its start), so that no row escapes the rules unseen. An author replaces
the names, keeps the shape, and runs `reglement test FOLDER` after every change. The
files are written through the one writer (`files.py`): all of them or none. Each YAML
file begins with a line that names its JSON Schema (`schemas.py`), so that an editor
with a YAML language server completes and checks it.
"""

from __future__ import annotations

import json
from pathlib import Path

from .files import Transaction
from .schemas import modeline

PACK = """\
{modeline}
name: {name}
version: "0.1.0"
title:
  nl: Privacyreglement van {name}
  en: Privacy regulation of {name}
contract: contract            # the folder of this pack's data contract: one <dataset>.schema.json per dataset
description: >-
  Start of a rule pack. Quote each article of the regulation in a file of its own
  (art-NN.yaml), and write a rule, a manual control or an informational note for every clause.
regulation: Privacyreglement van {name}, versie …   # which text, which version, which date
# A pack that checks several regulations side by side lists them instead of `regulation:`, the
# pack's own first (its rules keep ids such as 1.1-kept-too-long); each article file then says
# `regulation: avg`, and the ids of another regulation's rules start with its code
# (avg-33.1-breach-not-reported). The report cites an article as "AVG 33" (rules/README.md):
# regulations:
#   - {{code: own, name: Privacyreglement, title: {{nl: Privacyreglement, en: Privacy regulation}}}}
#   - {{code: avg, name: AVG, title: {{nl: Algemene verordening gegevensbescherming, en: GDPR}}}}
"""

ARTICLE = """\
{modeline}
article: "1"                  # as the regulation numbers it: "5", "7.3.8", "2a", "7:400"
title:
  nl: Bewaren
  en: Keeping records
clauses:
  - clause: "1.1"
    text: >-
      Een dossier wordt niet langer bewaard dan twee jaar na het afsluiten ervan.
  - clause: "1.2"
    text: >-
      De verantwoordelijke legt vast wie toegang heeft tot de dossiers.

rules:
  - id: 1.1-kept-too-long
    article: "1.1"
    title:
      nl: Dossier langer dan {{$years}} jaar na afsluiten bewaard
      en: File kept longer than {{$years}} years after it was closed
    severity: high
    dataset: files
    params:
      years: 2                # an organisation may set its own term in its --config
    let:
      until: closed_at + $years years
    condition: |
      status = 'closed' and until < $audit_date
    message:
      nl: "dossier {{file_id}}: had verwijderd moeten zijn op {{until}}"
      en: "file {{file_id}}: should have been deleted by {{until}}"
    examples:
      - note: closed two years before the audit date is kept that day; a day earlier it is too long
        as_of: 2026-11-28
        data:
          files:
            - {{file_id: F1, status: closed, opened_at: 2020-01-01, closed_at: 2024-11-28}}
            - {{file_id: F2, status: closed, opened_at: 2020-01-01, closed_at: 2024-11-27}}
            - {{file_id: F3, status: open, opened_at: 2020-01-01}}
        flagged: [F2]

controls:
  - id: 1.2-access-recorded
    article: "1.2"
    title:
      nl: Toegang tot de dossiers is vastgelegd
      en: Access to the files is recorded
    evidence:
      nl: Het overzicht van wie welke dossiers mag inzien, met de datum van vaststelling.
      en: The list of who may see which files, with the date it was set.
"""

ACCURACY = """\
{modeline}
article: "2"
title:
  nl: Juiste gegevens
  en: Accurate data
clauses:
  - clause: "2.1"
    text: >-
      De verantwoordelijke zorgt ervoor dat de vastgelegde gegevens juist en volledig zijn.

# Rules of kind: contract write no condition: the compiler makes one check for each
# declaration of the contract (an enum, an x-references, an x-not-before), so a column
# declared later is judged without a new rule, and a row no other rule can judge is a finding.
rules:
  - id: 2.1-unknown-code
    article: "2.1"
    kind: contract
    check: vocabulary
    title:
      nl: Code buiten de vastgelegde waardenlijst
      en: Code outside its declared list of values
    severity: high
    message:
      nl: "{{dataset}} {{key}}: de kolom {{column}} heeft de waarde '{{value}}', die niet in de vastgelegde lijst staat"
      en: "{{dataset}} {{key}}: the column {{column}} holds '{{value}}', which is not in its declared list"
    examples:
      - note: a code is compared exactly; a capital or a word outside the list is unknown
        data:
          files:
            - {{file_id: F1, status: open}}
            - {{file_id: F2, status: Closed}}
            - {{file_id: F3, status: archived}}
        flagged:
          - {{dataset: files, file_id: F2, column: status}}
          - {{dataset: files, file_id: F3, column: status}}

  - id: 2.1-dangling-reference
    article: "2.1"
    kind: contract
    check: reference
    title:
      nl: Verwijzing naar een rij die niet bestaat
      en: Reference to a row that does not exist
    severity: medium
    message:
      nl: "{{dataset}} {{key}}: {{column}} '{{value}}' verwijst naar geen enkele rij van {{target}}"
      en: "{{dataset}} {{key}}: {{column}} '{{value}}' names no row of {{target}}"
    examples:
      - note: a file of a data subject who is not there, exactly
        data:
          subjects:
            - {{subject_id: S1}}
          files:
            - {{file_id: F1, subject_id: S1}}
            - {{file_id: F2, subject_id: S9}}
            - {{file_id: F3, subject_id: s1}}
        flagged:
          - {{dataset: files, file_id: F2, column: subject_id}}
          - {{dataset: files, file_id: F3, column: subject_id}}

  - id: 2.1-date-order
    article: "2.1"
    kind: contract
    check: date-order
    title:
      nl: Einddatum vóór begindatum
      en: An end before its start
    severity: medium
    message:
      nl: "{{dataset}} {{key}}: {{column}} ({{value}}) ligt vóór {{earlier}}"
      en: "{{dataset}} {{key}}: {{column}} ({{value}}) lies before {{earlier}}"
    examples:
      - note: closed on the day it was opened is in order, a day earlier is not; an open file is not judged
        data:
          files:
            - {{file_id: F1, opened_at: 2026-03-01, closed_at: 2026-03-01}}
            - {{file_id: F2, opened_at: 2026-03-01, closed_at: 2026-02-28}}
            - {{file_id: F3, opened_at: 2026-03-01, closed_at: null}}
        flagged:
          - {{dataset: files, file_id: F2, column: closed_at}}
"""

FILES = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "files",
    "description": "one row per file the organisation keeps",
    "type": "object",
    "x-key": "file_id",
    "required": ["file_id", "subject_id", "status", "opened_at", "closed_at"],
    "properties": {
        "file_id": {"type": "string", "x-type": "string"},
        "subject_id": {"type": "string", "x-type": "string", "x-references": "subjects.subject_id"},
        "status": {"type": "string", "x-type": "string", "enum": ["open", "closed"]},
        "opened_at": {"type": "string", "x-type": "date"},
        "closed_at": {"type": ["string", "null"], "x-type": "date", "x-not-before": "opened_at"},
    },
}

SUBJECTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "subjects",
    "description": "one row per data subject (betrokkene) whose files the organisation keeps",
    "type": "object",
    "x-key": "subject_id",
    "required": ["subject_id"],
    "properties": {
        "subject_id": {"type": "string", "x-type": "string"},
    },
}


def init_pack(folder: Path, name: str) -> list[Path]:
    """Write the skeleton into `folder` (which must not exist yet, or be empty); the files written."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty: a new pack goes into a new folder")
    (folder / "contract").mkdir(parents=True, exist_ok=True)
    written = {folder / "pack.yaml": PACK.format(name=name, modeline=modeline("pack")),
               folder / "art-01.yaml": ARTICLE.format(modeline=modeline("rulefile")),
               folder / "art-02.yaml": ACCURACY.format(modeline=modeline("rulefile")),
               folder / "contract" / "subjects.schema.json": json.dumps(SUBJECTS, indent=2) + "\n",
               folder / "contract" / "files.schema.json": json.dumps(FILES, indent=2) + "\n"}
    with Transaction() as files:  # the pack whole or not at all, never written through a link
        for path, text in written.items():
            files.write(path, text, "the pack file")
        files.commit()
    return list(written)
