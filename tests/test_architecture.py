"""The core never imports Qt: checked on the source and with import-linter's contracts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import omnidesk

CORE = Path(omnidesk.__file__).parent / "core"
FORBIDDEN = ("PySide6", "shiboken6", "omnidesk.ui", "omnidesk.app")


def test_no_module_under_core_imports_qt():
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith(FORBIDDEN):
                    offenders.append(f"{path.relative_to(CORE.parent)}:{node.lineno} imports {name}")
    assert offenders == []


def test_importing_the_core_does_not_load_qt():
    code = (
        "import sys, omnidesk.core.workspace, omnidesk.core.importing.pipeline, omnidesk.cli;"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_linter_contracts_hold():
    root = Path(omnidesk.__file__).parent.parent
    # The console script installed beside this interpreter (venv or not).
    script = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(script), "--config", str(root / "pyproject.toml")],
        capture_output=True, text=True, cwd=root,
    )
    assert result.returncode == 0, result.stdout + result.stderr
