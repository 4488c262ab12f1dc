"""The rule packs that ship with reglement, each a folder: `westendorp` (the default) and `avg`."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DEFAULT = "westendorp"


def shipped() -> list[str]:
    """The names of the packs that ship with reglement."""
    return sorted(p.name for p in Path(str(files(__name__))).iterdir() if (p / "pack.yaml").is_file())


def pack_folder(name_or_path: str | Path) -> Path:
    """A pack by folder, or by the name of a shipped pack when no such folder exists (`--rules avg`)."""
    path = Path(name_or_path)
    if not path.exists() and str(name_or_path) in shipped():
        return Path(str(files(__name__).joinpath(str(name_or_path))))
    return path


def default_pack() -> Path:
    """The Westendorp pack (also from an installed wheel)."""
    return pack_folder(DEFAULT)


def packs_of(paths: list[Path]) -> list[Path]:
    """The packs that `paths` name, each once, in the order first named: a folder, or the name of a shipped
    pack, is a pack; a file stands for the pack it belongs to, the nearest folder above it with a `pack.yaml`
    (a rule file, `pack.yaml`, a schema of the pack's contract). A file in no pack is passed by: pre-commit
    hands the hook every changed YAML and JSON file of the repository (`.pre-commit-hooks.yaml`)."""
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        if path.is_file():
            folder = next((p for p in path.absolute().parents if (p / "pack.yaml").is_file()), None)
            if folder is None:
                continue
            folder = Path(os.path.relpath(folder)) if not path.is_absolute() else folder
        else:
            folder = pack_folder(path)
        found.setdefault(folder.resolve(), folder)
    return list(found.values())
