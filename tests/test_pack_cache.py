"""The compiled pack kept between runs (compiler/pack_cache.py): used when the inputs are the same bytes,
never when anything the compilation reads has changed, and never a reason for a run to differ."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, rule_file, write_pack

from reglement.compiler import pack_cache
from reglement.compiler.diagnostics import CompileError
from reglement.compiler.stages import compile_pack

WESTENDORP = ROOT / "rules" / "westendorp"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", str(folder))
    return folder


def compiled_by(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The pack folders compiled from here on (a pack loaded from the cache is not compiled)."""
    seen: list[Path] = []
    real = pack_cache.cached

    def counting(folder: Path, compile_):
        def counted():
            seen.append(folder)
            return compile_()
        return real(folder, counted)

    monkeypatch.setattr(pack_cache, "cached", counting)
    return seen


def test_a_second_run_loads_the_pack_and_needs_neither_lark_nor_jsonschema(cache: Path) -> None:
    script = ("import sys; from pathlib import Path; from reglement.compiler.stages import compile_pack; "
              f"pack, _ = compile_pack(Path({str(WESTENDORP)!r})); "
              "print(len(pack.rules), 'lark' in sys.modules, 'jsonschema' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "REGLEMENT_CACHE_DIR": str(cache)}).stdout.split()
            for _ in range(2)]
    assert runs == [["44", "True", "True"], ["44", "False", "False"]]
    assert len(list((cache / "packs").glob("*.pickle"))) == 1


def test_the_loaded_pack_is_the_compiled_one(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = compiled_by(monkeypatch)
    first, _ = compile_pack(WESTENDORP)
    second, _ = compile_pack(WESTENDORP)
    assert seen == [WESTENDORP]
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", "off")
    assert first == second == compile_pack(WESTENDORP)[0]


def test_a_changed_rule_file_is_compiled_again(cache: Path, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", rule_file("received_at is null", message="request {request_id}"))
    assert compile_pack(pack)[0].rules[0].message.nl == "request {request_id}"
    write_pack(pack, rule_file("received_at is null", message="verzoek {request_id}"))
    assert compile_pack(pack)[0].rules[0].message.nl == "verzoek {request_id}"
    (pack / "art-02.yaml").write_text("not: [a, pack", encoding="utf-8")  # a file added counts too
    with pytest.raises(CompileError):
        compile_pack(pack)


def test_a_pack_with_problems_is_never_kept(cache: Path, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", rule_file("no_such_column is null"))
    for _ in range(2):
        with pytest.raises(CompileError, match="no_such_column"):
            compile_pack(pack)
    assert not list(cache.rglob("*.pickle"))


def test_a_changed_contract_outside_the_pack_is_read_again(cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(WESTENDORP, pack)
    shutil.copytree(ROOT / "datasets", tmp_path / "contract", ignore=shutil.ignore_patterns("*.py", "sample"))
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert "contract: westendorp\n" in text
    (pack / "pack.yaml").write_text(text.replace("contract: westendorp\n", "contract: ../contract\n"),
                                    encoding="utf-8")
    assert not compile_pack(pack)[0].contract["users"].description.startswith("Changed.")
    schema = tmp_path / "contract" / "users.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"description": "', '"description": "Changed. ', 1),
                      encoding="utf-8")
    assert compile_pack(pack)[0].contract["users"].description.startswith("Changed.")


@pytest.mark.parametrize("spoil", ["garbage", "writable by others"])
def test_an_entry_that_cannot_be_trusted_is_passed_by(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                      spoil: str) -> None:
    compile_pack(WESTENDORP)
    [entry] = (cache / "packs").glob("*.pickle")
    if spoil == "garbage":
        entry.write_bytes(b"reglement-pack-cache 1\nnot a pickle")
    else:
        entry.chmod(0o666)
    seen = compiled_by(monkeypatch)
    assert len(compile_pack(WESTENDORP)[0].rules) == 44
    assert seen == [WESTENDORP]


def test_off_keeps_nothing_and_an_unwritable_cache_only_costs_time(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert len(compile_pack(WESTENDORP)[0].rules) == 44
    assert not (tmp_path / "home").exists()
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", str(blocked / "cache"))
    assert len(compile_pack(WESTENDORP)[0].rules) == 44


class _Runs:
    """Pickled as a call of `Path.write_text`: what unpickling an attacker's entry could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return Path.write_text, (self.marker, "ran")


def test_an_entry_is_unpickled_only_as_a_pack(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Even an entry with the right name and digest may name no class but a compiled pack's: a pickle that calls
    a function is refused before the call, the pack compiled afresh."""
    import hashlib
    import pickle

    compile_pack(WESTENDORP)
    [entry] = (cache / "packs").glob("*.pickle")
    marker = tmp_path / "marker"
    body = entry.stem.encode() + b"\n" + pickle.dumps(("contract", _Runs(marker)))
    entry.write_bytes(pack_cache._FORMAT + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    seen = compiled_by(monkeypatch)
    assert len(compile_pack(WESTENDORP)[0].rules) == 44
    assert seen == [WESTENDORP] and not marker.exists()
    assert "is not part of a compiled pack" in capsys.readouterr().err
