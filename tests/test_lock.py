"""Installs are pinned by hash: requirements.lock and requirements-test.lock (written by `make lock` from
requirements.txt and requirements-test.txt) pin every package with the sha256 of its files, and every install
(the Makefile's `make run` / `make test` stamps, which `.ci/run` reaches through `make lint` and `make test`,
and the replica image) goes through them with pip's --require-hashes. The real install from PyPI into a fresh
venv is not repeated here (minutes of downloads): deploy/README.md says how it was checked.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([\w.+!-]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw.split("[", 1)[0]).lower()


def direct_pins(path: Path) -> dict[str, str]:
    """name -> version for requirements.txt-style files (following -r includes)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(direct_pins(path.parent / line[3:].strip()))
        elif line:
            found = PIN.match(line)
            assert found, f"{path.name}: not pinned with ==: {line}"
            pins[_name(found[1])] = found[2]
    return pins


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, sha256 hashes) for a lock file written by `make lock`."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8")):
        found = PIN.match(block)
        if found:
            entries[_name(found[1])] = (found[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return entries


@pytest.mark.parametrize(("source", "lock"), [("requirements.txt", "requirements.lock"),
                                              ("requirements-test.txt", "requirements-test.lock")])
def test_every_requirement_is_locked_at_its_pinned_version_with_hashes(source, lock):
    pins, entries = direct_pins(ROOT / source), locked(ROOT / lock)
    assert pins and entries
    stale = {name: (version, entries.get(name, ("missing",))[0]) for name, version in pins.items()
             if entries.get(name, ("",))[0] != version}
    assert not stale, f"{lock} is out of date with {source} (run make lock): {stale}"
    unhashed = [name for name, (_, hashes) in entries.items() if not hashes]
    assert not unhashed, f"{lock}: no hash for {unhashed}"
    assert len(entries) > len(pins), f"{lock} should hold the packages {source} pulls in too"
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert not re.search(r"^\s*-e |^\s*(git|https?)\+?:", text, re.M), "only PyPI releases in a lock"


def test_the_test_lock_holds_the_run_lock_at_the_same_versions():
    run, test = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-test.lock")
    differs = {name: (v, test.get(name, ("missing",))[0]) for name, (v, _) in run.items()
               if test.get(name, ("",))[0] != v}
    assert not differs, f"make test would install other versions than make run: {differs}"


def makefile_rule(name: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(name)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.M)
    assert found, f"no rule {name} in the Makefile"
    return found[0]


def test_make_run_and_make_test_install_only_from_the_locks_with_hashes():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in text.splitlines() if re.search(r"\bpip install\b", line)]
    project = [line for line in installs if "build/lockenv" not in line]     # make lock's own throwaway venv
    assert project, "the Makefile installs nothing?"
    for line in project:
        assert "--require-hashes" in line and re.search(r"-r requirements(-test)?\.lock\b", line), line
    assert "requirements.lock" in makefile_rule("$(VENV)/.installed-run").split("\n", 1)[0]
    test_rule = makefile_rule("$(VENV)/.installed-test")
    assert "requirements-test.lock" in test_rule.split("\n", 1)[0]
    assert "--require-hashes -r requirements-test.lock" in test_rule
    # The two commands the README promises, and what .ci/run runs, all depend on those stamps.
    for target in ("run", "test", "lint"):
        assert re.search(rf"^{target}: [^\n]*\$\(VENV\)/\.installed-(run|test)", text, re.M), target
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make lint$", ci, re.M) and re.search(r"^make test$", ci, re.M)
    assert all("--require-hashes" in line for line in ci.splitlines() if "pip install" in line)


def test_make_lock_compiles_both_locks_with_hashes_for_python_3_11_on_linux():
    rule = makefile_rule("lock")
    flags = re.search(r"^LOCK_FLAGS := (.*?)(?<!\\)\n", (ROOT / "Makefile").read_text(), re.M | re.S)[1]
    for flag in ("--no-config", "--generate-hashes", "--python-version 3.11", "x86_64-unknown-linux-gnu"):
        assert flag in flags, flag
    assert "-o requirements.lock requirements.txt" in rule
    assert "-o requirements-test.lock requirements-test.txt" in rule
    assert ".venv" not in rule, "the lock tool goes in a throwaway venv, not the project's"
