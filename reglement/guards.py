"""What a run refuses before anything runs: a careless command line must not destroy or lie.

A report (or its signature) written over an input (a file of the export, the configuration,
a rule file, the baseline, the previous report, the signing key) would destroy evidence;
`--fail-on-new` without a baseline would pass a CI job that has open findings. Both are
usage errors (exit 2), said before any rule runs. The writer (`files.py`) refuses an input
again when it puts the files in place, and refuses a destination that is a link, a
folder, a FIFO or a device (E806).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .compiler.diagnostics import UserError


class Refused(UserError):
    """A command line that would destroy an input or pass silently."""


def inputs_of(data: Path | None, rules: Path, *files: Path | None) -> set[Path]:
    """Every file a `check` run reads, resolved: the export's files, the pack's, the configuration, the
    baseline, the previous report of the chain."""
    found = {p.resolve() for folder in (data, rules)
             if folder is not None and Path(folder).is_dir() for p in Path(folder).rglob("*")
             if p.is_file()}
    found |= {Path(p).resolve() for p in files if p is not None}
    return found


def refuse_careless(outputs: Iterable[Path], inputs: set[Path], fail_on_new: bool, baseline: Path | None,
                    command: str = "check") -> None:
    if fail_on_new and baseline is None:
        raise Refused(f"reglement {command}: error E803: --fail-on-new needs --baseline (without a previous report "
                      "every finding is new, and a CI job would pass or fail on nothing)")
    for output in outputs:
        if output is not None and Path(output).resolve() in inputs:
            raise Refused(f"reglement {command}: error E802: {output} is an input of this run; writing there would "
                          "overwrite it (write elsewhere)")
