"""The chapter "A pack for your organisation" of rules/README.md, run the way a new author follows it.

Every file the chapter shows (a fenced block with `file=<path>` after its language) is written
where it says, and every command it shows (a `console` block: `$ command`, then what it prints)
is run in that order in one empty folder, by bash, with stdout and stderr together as a terminal
shows them. What the chapter says a command prints is compared with what it prints, line by line.
A command that fails must be followed by `$ echo $?` showing its status: the chapter then says so
to its reader too. So the chapter cannot drift from the code: a changed message, a renamed
field or a new finding fails this test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

CHAPTER = "## A pack for your organisation"
FENCE = re.compile(r"^```(\w+)(?: file=(\S+))?\n(.*?)^```$", re.M | re.S)


@dataclass(frozen=True)
class Command:
    line: str
    prints: tuple[str, ...]


def chapter() -> str:
    text = (ROOT / "rules" / "README.md").read_text("utf-8")
    assert CHAPTER in text, f"rules/README.md has no chapter '{CHAPTER}'"
    return text.split(CHAPTER, 1)[1].split("\n## ", 1)[0]


def commands(block: str) -> list[Command]:
    """`$ reglement test linde` and the lines it prints, up to the next `$`."""
    found: list[Command] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append(Command(line[2:], ()))
        else:
            assert found, f"a console block must begin with a command: {line!r}"
            found[-1] = Command(found[-1].line, (*found[-1].prints, line))
    return found


def run(command: str, folder: Path, status: int) -> subprocess.CompletedProcess:
    """One command in `folder`, `$?` being the previous command's status; the project's `reglement` first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run(["bash", "-c", f"(exit {status}); {command}"], cwd=folder, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)


def test_the_chapter_runs_as_written(tmp_path):
    steps = list(FENCE.finditer(chapter()))
    assert sum(m[1] == "console" for m in steps) >= 3 and sum(bool(m[2]) for m in steps) >= 10
    status, previous = 0, ""
    for step in steps:
        language, path, body = step.groups()
        if path:
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, "utf-8")
            continue
        if language != "console":
            continue
        for command in commands(body):
            assert status == 0 or command.line == "echo $?", (
                f"'{previous}' exited {status}: the chapter must show it with `$ echo $?`")
            done = run(command.line, tmp_path, status)
            shown = tuple(line.rstrip() for line in done.stdout.splitlines())
            assert shown == tuple(line.rstrip() for line in command.prints), f"$ {command.line}"
            status, previous = done.returncode, command.line
    assert status == 0, f"'{previous}' exited {status}"


def test_the_chapter_is_read_as_a_whole():
    """A fence the parser does not see (a typo in `file=`, a missing newline) would leave a step out silently."""
    fences = chapter().count("\n```") // 2
    assert fences == len(FENCE.findall(chapter())) > 0
