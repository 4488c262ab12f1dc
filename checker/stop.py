"""A stop asked for by a signal (Ctrl-C, SIGTERM), which no engine's failure may hide.

The command line installs `handle` for SIGINT and SIGTERM when it starts (`reglement/cli.py`,
`run`). The first signal raises `Stopped` wherever the main thread is. An engine that runs a
query at that moment turns it into an error of its own (DuckDB: "Query interrupted"), and the
driver turns an engine's error into its rule's error and goes on; so wherever an engine's
failure is caught, `raise_if_stopped` is asked first. What then unwinds closes what it
opened (the engine's session, the count of the keys' order, the reports' temporary files),
and the command line exits 130 (SIGINT) or 143 (SIGTERM) with one line on stderr. A second
signal while that happens is noted, not raised, so that the clean-up finishes.
"""

from __future__ import annotations

import signal
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_asked: list[int] = []  # the signals received, the first first


class Stopped(BaseException):
    """The run was asked to stop; a BaseException, so that no `except Exception` takes it for a failure."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def handle(signum: int, frame: FrameType | None) -> None:
    """The handler of SIGINT and SIGTERM: stop at the first, note the rest."""
    _asked.append(signum)
    if len(_asked) == 1:
        raise Stopped(signum)


def install() -> None:
    for signum in SIGNALS:
        signal.signal(signum, handle)


def raise_if_stopped() -> None:
    """Raise `Stopped` when a signal asked the run to stop (what was caught was its consequence)."""
    if _asked:
        raise Stopped(_asked[0])
