"""An operator's bad day, each fault a test that fails without its fix (issue #21).

    1  a file replaced or appended while it is audited
    2  a pack cache another user can write to
    3  a signature written through a link, or into a FIFO
    4  the fused scan's fallback
    5  signals: Ctrl-C, SIGTERM, and what killed runs leave behind
    6  several outputs: all written, or none
    7  verify: what a folder of reports may hold
    8  keys that differ from a known one only by what a reader cannot see
    9  a terminal that cannot print every character, a full disk
    +  values in error messages, a UTF-8 file with one bad byte, an empty spreadsheet cell

Each section is one point; the mid-audit changes use a hook of the driver (the moment the
rules start), not a timer.
"""

from __future__ import annotations
