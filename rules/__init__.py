"""The rule packs that ship with reglement, each a folder: `westendorp` (the default) and `avg`."""

from __future__ import annotations

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
