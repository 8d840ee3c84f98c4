"""The house rules CI checks (issue #12): the import contracts really fail when broken, and no module in
components/ or data/ is over 400 lines, no function over 60. `make lint` runs ruff, mypy and the contracts."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py")
                  if not {"nel", "raw", "__pycache__"} & set(p.relative_to(ROOT).parts))


def _copy_of_the_code(tmp_path: Path) -> Path:
    """The Python files and pyproject.toml, without the data, venv or build (lint-imports reads only imports)."""
    copy = tmp_path / "repo"
    for path in [ROOT / "dashboard.py", ROOT / "pyproject.toml",
                 *_python_files("components", "data", "geo", "pages", "bench", "deploy", "tests")]:
        target = copy / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return copy


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("module,line,contract", [
    ("components/cards/base.py", "import streamlit", "only components.ui (and pages/, dashboard.py) import Streamlit"),
    ("data/derive.py", "import plotly.graph_objects", "data and geo import neither Streamlit"),
    ("components/words.py", "from components.ui import view_state", "components' layers only reach down"),
    ("bench/run.py", "from tests import site", "no production code imports the tests"),
])
def test_each_import_contract_fails_when_broken(tmp_path, module, line, contract):
    copy = _copy_of_the_code(tmp_path)
    kept = _lint_imports(copy)
    assert kept.returncode == 0, kept.stdout[-2000:] + kept.stderr[-2000:]
    with (copy / module).open("a", encoding="utf-8") as f:
        f.write(f"\n{line}  # the rule broken on purpose\n")
    broken = _lint_imports(copy)
    assert broken.returncode != 0
    assert f"{contract}" in broken.stdout and "BROKEN" in broken.stdout.split(contract, 1)[1].splitlines()[0]


def _long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


def test_no_module_in_components_or_data_is_over_400_lines():
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in _python_files("components", "data")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "split these modules: " + ", ".join(long)


def test_no_function_in_components_or_data_is_over_60_lines():
    long = [f for p in _python_files("components", "data") for f in _long_functions(p)]
    assert not long, "split these functions: " + "; ".join(long)
