"""reglement's pre-commit hooks (`.pre-commit-hooks.yaml`), as another repository uses them.

The hooks are run the way pre-commit runs a repository's hooks: `pre-commit try-repo <this
checkout> reglement-test --all-files` in a new git repository that holds a pack `reglement init`
wrote. pre-commit clones this checkout (its commit, with the uncommitted changes of tracked and
staged files: a new file must be added to git before it is seen), builds a virtualenv of its own
and pip-installs reglement into it (from PyPI, as pip is configured), then runs the hook. That
takes 15–20 s with pip's cache warm, every time (try-repo keeps its environment in a temporary
folder), so there are two runs: the pack as written passes, and with a typo planted it fails with
the compiler's file:line:col. `PRE_COMMIT_HOME` is a temporary folder, so nothing lands in the
user's cache. How `reglement test` finds the packs of the files pre-commit passes is tested here
in-process, where it is cheap.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from needs import missing

from reglement.cli import build_parser, main
from reglement.init import init_pack

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
BY_ID = {hook["id"]: hook for hook in HOOKS}
TYPO = ("status = 'closed' and", "statsu = 'closed' and")  # E302: an unknown column, with a did-you-mean


def test_the_manifest_is_valid_for_pre_commit():
    manifest = str(ROOT / ".pre-commit-hooks.yaml")
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", manifest], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(BY_ID) == {"reglement-test", "reglement-check"}
    for hook in HOOKS:
        assert hook["language"] == "python"  # pre-commit installs reglement: the repository needs nothing
        assert hook["require_serial"] is True
        assert hook["entry"].split()[0] == "reglement"


def test_each_hook_entry_is_a_command_of_the_cli():
    """The entry with the arguments the README gives it parses (pre-commit appends args, then file names)."""
    readme = yaml.safe_load(_readme_hooks())
    (repo,) = readme["repos"]
    for hook in repo["hooks"]:
        argv = shlex.split(BY_ID[hook["id"]]["entry"])[1:] + hook.get("args", [])
        build_parser().parse_args(argv)  # raises UsageError on an option the CLI lacks
    assert BY_ID["reglement-test"]["pass_filenames"] is True
    assert BY_ID["reglement-check"]["pass_filenames"] is False  # it audits a folder as a whole


def _readme_hooks() -> str:
    """The `.pre-commit-config.yaml` the README's "In CI" section shows."""
    text = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.S)
    assert found, "the README's In CI section shows a .pre-commit-config.yaml"
    return found.group(1)


# -- `reglement test` with the files pre-commit passes -----------------------------------------------------------
def test_a_file_stands_for_its_pack_and_each_pack_is_tested_once(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    init_pack(tmp_path / "rules" / "one", "one")
    init_pack(tmp_path / "rules" / "two", "two")
    (tmp_path / "notes.yaml").write_text("a: file in no pack\n", encoding="utf-8")
    files = ["rules/one/art-01.yaml", "rules/one/pack.yaml", "rules/one/contract/files.schema.json",
             "rules/two/art-01.yaml", "notes.yaml"]
    assert main(["test", *files]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^== (.*)$", out, re.M) == [str(Path("rules/one")), str(Path("rules/two"))]
    assert out.count("4 rules, 4 examples: 4 passed, 0 failed") == 2


def test_a_pack_that_does_not_compile_is_said_and_the_others_are_still_tested(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    init_pack(tmp_path / "good", "good")
    init_pack(tmp_path / "bad", "bad")
    rule_file = tmp_path / "bad" / "art-01.yaml"
    rule_file.write_text(rule_file.read_text("utf-8").replace(*TYPO), "utf-8")
    assert main(["test", "bad/art-01.yaml", "good/art-01.yaml"]) == 2
    captured = capsys.readouterr()
    assert "4 rules, 4 examples: 4 passed, 0 failed" in captured.out  # the good pack, after the bad one
    line, column = _where(rule_file, TYPO[1])
    assert f"{Path('bad/art-01.yaml')}:{line}:{column}: error E302: unknown column 'statsu'" in captured.err


def test_files_in_no_pack_test_nothing(capsys, tmp_path):
    (tmp_path / "ci.yml").write_text("on: push\n", encoding="utf-8")
    assert main(["test", str(tmp_path / "ci.yml")]) == 0
    assert capsys.readouterr().out == "no rule pack among the files given: nothing to test\n"


def _where(path: Path, text: str) -> tuple[int, int]:
    """The line and column (from 1) where `text` starts in the file."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(f"{text!r} is not in {path}")


# -- pre-commit try-repo -------------------------------------------------------------------------------------------
@pytest.fixture
def example_repo(tmp_path) -> Path:
    """A git repository of another organisation: a pack by `reglement init`, and a YAML file in no pack."""
    if shutil.which("git") is None:
        missing("git")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        missing("a git checkout of reglement (pre-commit clones it)")
    repo = tmp_path / "office"
    init_pack(repo / "rules" / "office", "office")
    (repo / ".github").mkdir()
    (repo / ".github" / "audit.yml").write_text("on: push\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=_env(tmp_path))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=_env(tmp_path))
    return repo


def _env(tmp_path: Path) -> dict[str, str]:
    """No GIT_* of a calling hook; pre-commit's cache in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return env | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}


def _try_repo(repo: Path, hook: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files", *options],
                          cwd=repo, env=_env(repo.parent), capture_output=True, text=True, timeout=900)


def test_try_repo_passes_a_good_pack_and_fails_a_broken_one_at_its_line(example_repo):
    done = _try_repo(example_repo, "reglement-test", "--verbose")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert re.search(r"^reglement test \(rule pack examples\)\.+Passed$", said, re.M), said
    assert "PASS  1.1-kept-too-long" in said and "4 rules, 4 examples: 4 passed, 0 failed" in said

    rule_file = example_repo / "rules" / "office" / "art-01.yaml"
    rule_file.write_text(rule_file.read_text("utf-8").replace(*TYPO), "utf-8")
    subprocess.run(["git", "add", "-A"], cwd=example_repo, check=True, env=_env(example_repo.parent))
    done = _try_repo(example_repo, "reglement-test")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert re.search(r"^reglement test \(rule pack examples\)\.+Failed$", said, re.M), said
    assert "- exit code: 2" in said
    line, column = _where(rule_file, TYPO[1])
    assert f"rules/office/art-01.yaml:{line}:{column}: error E302: unknown column 'statsu' in dataset files" in said
    assert f"{line:>5} |       statsu = 'closed'" in said and "did you mean 'status'?" in said
