"""`reglement init`: a new rule pack that compiles and passes its own test from the first minute.

The skeleton has a data contract of one dataset (with a closed vocabulary and a date),
an article with one rule — with an example on each side of its boundary — and one
manual control. An author replaces the names, keeps the shape, and runs
`reglement test FOLDER` after every change. The files are written through the one writer
(`files.py`): all of them or none. Each YAML file begins with a line that names its JSON
Schema (`schemas.py`), so that an editor with a YAML language server completes and checks it.
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
"""

ARTICLE = """\
{modeline}
article: "1"
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

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "files",
    "description": "one row per file the organisation keeps",
    "type": "object",
    "x-key": "file_id",
    "required": ["file_id", "status", "opened_at", "closed_at"],
    "properties": {
        "file_id": {"type": "string", "x-type": "string"},
        "status": {"type": "string", "x-type": "string", "enum": ["open", "closed"]},
        "opened_at": {"type": "string", "x-type": "date"},
        "closed_at": {"type": ["string", "null"], "x-type": "date", "x-not-before": "opened_at"},
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
               folder / "contract" / "files.schema.json": json.dumps(SCHEMA, indent=2) + "\n"}
    with Transaction() as files:  # the pack whole or not at all, never written through a link
        for path, text in written.items():
            files.write(path, text, "the pack file")
        files.commit()
    return list(written)
