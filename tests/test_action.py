"""The composite GitHub Action (`action.yml`): its shape, and its scripts run as a runner runs them.

The action cannot run here (no GitHub, no runner). What can be tested is: that it is an action of
the documented shape (name, description, inputs with descriptions, outputs with values, `runs.using:
composite`, a `shell` for every script step, the inputs reaching scripts as environment variables,
never as expressions pasted into a script); and its scripts, run in order by `bash --noprofile
--norc -eo pipefail` (as GitHub runs `shell: bash`) with the files a runner gives them
(`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `RUNNER_TEMP`), each step's `if:` and `${{ … }}` evaluated
here for the few forms the action uses. The `uses:` steps (setup-python, the SARIF upload) are
recorded with their inputs, not run, and so is the install step's `pip install` of this checkout
(what `test_pre_commit.py`'s try-repo does): the audit runs this checkout's `reglement`. The README's
"In CI" shows an example and the command it runs: running the scripts with the example's inputs
must run that command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from conftest import AS_OF, ROOT, SAMPLE, SAMPLE_FINDINGS

from reglement.cli import build_parser

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REGLEMENT = Path(sys.executable).parent / "reglement"  # this checkout's, where the action installs its own


def test_the_action_has_the_documented_shape():
    assert ACTION["name"] and ACTION["description"]
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert re.fullmatch(r"[a-z][a-z-]*", name), name
        assert spec["description"].strip(), name
        assert spec["required"] == (name == "data"), name
        assert spec["required"] or isinstance(spec["default"], str), name  # a default is text, as GitHub has it
    for name, spec in ACTION["outputs"].items():
        assert spec["description"].strip() and EXPRESSION.fullmatch(spec["value"]), name
    for step in STEPS:
        assert step.get("name"), step
        assert ("run" in step) != ("uses" in step), step["name"]
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
            assert "${{" not in step["run"], f"{step['name']}: an expression pasted into a script"
        else:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]  # a major version, as pinned
    uses = [s["uses"].split("@")[0] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python", "github/codeql-action/upload-sarif"]


def test_the_readme_documents_every_input_and_output():
    section = _in_ci()
    inputs = section[section.index("| input | default |"):]
    inputs = inputs[:inputs.index("\n\n")]
    table = set(re.findall(r"^\| `([a-z-]+)`(?:, `([a-z-]+)`)? \|", inputs, re.M))
    assert {name for pair in table for name in pair if name} == set(ACTION["inputs"])
    for output in ACTION["outputs"]:
        assert f"`{output}`" in section, output


# -- the scripts, run as a runner runs them -------------------------------------------------------------------------
@dataclass
class Job:
    """One run of the action's steps, as a runner would run them in a job."""

    workspace: Path
    inputs: dict[str, str]
    reglement: Path = REGLEMENT
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    used: list[tuple[str, dict]] = field(default_factory=list)  # (action, its inputs) of the `uses:` steps run
    ran: list[str] = field(default_factory=list)  # the names of the steps run
    failed: str | None = None  # the step that failed the job
    exit_code: int = 0
    log: str = ""

    def __post_init__(self):
        given = set(self.inputs) - set(ACTION["inputs"])
        assert not given, f"not inputs of the action: {given}"
        defaults = {n: s.get("default", "") for n, s in ACTION["inputs"].items()}
        self.inputs = defaults | self.inputs
        self.summary = self.workspace / "summary.md"
        self.temp = self.workspace / "runner-temp"
        self.temp.mkdir(parents=True, exist_ok=True)

    def value(self, reference: str) -> str:
        scope, _, rest = reference.partition(".")
        if scope == "inputs":
            return self.inputs[rest]
        if scope == "github" and rest == "action_path":
            return str(ROOT)
        if scope == "steps":
            step, kind, name = rest.split(".")
            assert kind == "outputs", reference
            return self.outputs.get(step, {}).get(name, "")
        raise AssertionError(f"an expression this test does not evaluate: {reference}")

    def expand(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m[1]), str(text))

    def holds(self, condition: str) -> bool:
        """`a == 'x' && b != ''`: the forms of `if:` that the action uses."""
        for part in condition.split("&&"):
            found = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
            assert found, f"an if: this test does not evaluate: {condition}"
            equal = self.value(found[1]) == found[3]
            if equal != (found[2] == "=="):
                return False
        return True

    def run(self) -> Job:
        for step in STEPS:
            if self.failed or ("if" in step and not self.holds(step["if"])):
                continue
            self.ran.append(step["name"])
            if "uses" in step:
                self.used.append((step["uses"], {k: self.expand(v) for k, v in step.get("with", {}).items()}))
            elif step.get("id") == "install":  # pip install of this checkout: see the module's docstring
                assert '"$venv/bin/python" -m pip install' in step["run"] and "${PACKAGE:-$ACTION_PATH}" in step["run"]
                self.outputs["install"] = {"reglement": str(self.reglement)}
            else:
                self._script(step)
        return self

    def _script(self, step: dict) -> None:
        output = self.temp / f"output-{len(self.ran)}"
        output.touch()
        env = {**os.environ, **{k: self.expand(v) for k, v in step.get("env", {}).items()},
               "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(self.temp)}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env,
                              cwd=self.workspace, capture_output=True, text=True, timeout=300)
        self.log += done.stdout + done.stderr
        values = dict(line.split("=", 1) for line in output.read_text("utf-8").splitlines() if line)
        if "id" in step:
            self.outputs[step["id"]] = values
        if done.returncode:
            self.failed, self.exit_code = step["name"], done.returncode


def test_an_audit_with_findings_uploads_summarises_and_fails_the_job(tmp_path):
    job = Job(tmp_path, {"data": str(SAMPLE), "as-of": AS_OF, "lang": "en"}).run()
    out = tmp_path / "reglement-report"
    assert job.outputs["audit"] == {"exit-code": "1", "json": f"{out.name}/reglement.json",
                                    "sarif": f"{out.name}/reglement.sarif", "markdown": f"{out.name}/reglement.md",
                                    "html": f"{out.name}/reglement.html"}
    assert job.used == [("actions/setup-python@v6", {"python-version": "3.12"}),
                        ("github/codeql-action/upload-sarif@v4",
                         {"sarif_file": f"{out.name}/reglement.sarif", "category": "reglement"})]
    assert job.summary.read_text("utf-8") == (out / "reglement.md").read_text("utf-8")
    report = json.loads((out / "reglement.json").read_text("utf-8"))
    assert report["summary"]["findings"] == SAMPLE_FINDINGS and report["lang"] == "en" and report["as_of"] == AS_OF
    assert json.loads((out / "reglement.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert (job.failed, job.exit_code) == ("Fail as reglement check exited", 1)
    assert "::error title=reglement::findings at or above the fail-on severity" in job.log


def test_findings_below_fail_on_pass_the_job_and_args_reach_the_command(tmp_path):
    job = Job(tmp_path, {"data": str(SAMPLE), "as-of": AS_OF, "fail-on": "critical", "summary": "false",
                         "upload-sarif": "false", "python-version": "", "output-dir": "out",
                         "args": "--select 11.2,11.3  --sarif-max-results 5"}).run()
    assert job.failed is None and job.outputs["audit"]["exit-code"] == "0"
    report = json.loads((tmp_path / "out" / "reglement.json").read_text("utf-8"))
    assert report["selection"]["select"] == ["11.2", "11.3"]
    assert job.used == [] and not job.summary.exists()


def test_an_audit_that_cannot_be_done_uploads_nothing_and_fails_with_its_status(tmp_path):
    job = Job(tmp_path, {"data": str(tmp_path / "no-such-export"), "as-of": AS_OF}).run()
    assert job.outputs["audit"] == {"exit-code": "2"}  # no report was written
    assert [name for name, _ in job.used] == ["actions/setup-python@v6"]
    assert not job.summary.exists()
    assert (job.failed, job.exit_code) == ("Fail as reglement check exited", 2)
    assert "::error title=reglement::the audit could not be done (exit status 2" in job.log


def recorded_command(tmp_path: Path, inputs: dict[str, str]) -> list[str]:
    """What the scripts run with these inputs, given a `reglement` that records its arguments and exits 0."""
    recorded, fake = tmp_path / "argv", tmp_path / "reglement"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(recorded))}\n', encoding="utf-8")
    fake.chmod(0o755)
    job = Job(tmp_path, inputs, reglement=fake).run()
    assert job.failed is None, job.log
    return ["reglement", *recorded.read_text("utf-8").splitlines()]


def test_the_readme_example_runs_the_readme_command(tmp_path):
    inputs, command = _readme_example()
    assert recorded_command(tmp_path, inputs) == command


def test_every_input_reaches_the_option_it_names(tmp_path):
    command = recorded_command(tmp_path, {
        "data": "exports/latest", "rules": "rules/ourpack", "config": "privacy/config.yaml", "as-of": "2026-11-30",
        "fail-on": "medium", "baseline": "last.json", "fail-on-new": "true", "lang": "en", "engine": "pandas",
        "args": "--select 5 --skip 5.1-unknown-actor", "output-dir": "audit"})
    args = build_parser().parse_args(command[1:])  # a command line reglement takes
    assert (args.command, str(args.data), str(args.rules), str(args.config), str(args.as_of)) == \
        ("check", "exports/latest", "rules/ourpack", "privacy/config.yaml", "2026-11-30")
    assert (args.fail_on, str(args.baseline), args.fail_on_new, args.lang, args.engine) == \
        ("medium", "last.json", True, "en", "pandas")
    assert (args.select, args.skip) == ("5", "5.1-unknown-actor")
    assert args.output == [f"{f}=audit/reglement.{e}" for f, e in
                           (("json", "json"), ("sarif", "sarif"), ("markdown", "md"), ("html", "html"))]
    defaults = build_parser().parse_args(recorded_command(tmp_path, {"data": "x"})[1:])
    assert (defaults.rules, defaults.config, defaults.baseline, defaults.fail_on_new) == (None, None, None, False)


def _in_ci() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    return text[text.index("## In CI\n"):text.index("\n## ", text.index("## In CI\n") + 1)]


def _readme_example() -> tuple[dict[str, str], list[str]]:
    """The README's use of the action (its `with:` inputs) and the command it says the action runs."""
    section = _in_ci()
    workflow = yaml.safe_load(re.search(r"```yaml\n(jobs:.*?)```", section, re.S)[1])
    (step,) = [s for s in workflow["jobs"]["privacy-audit"]["steps"] if "reglement" in s.get("uses", "")]
    command = re.search(r"```console\n(reglement check .*?)```", section, re.S)[1]
    return step["with"], shlex.split(command.replace("\\\n", " "))
