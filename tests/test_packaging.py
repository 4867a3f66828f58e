"""What ships with the app is declared, and its licences ship with it.

The bundle (packaging/omnidesk.spec) takes every installed distribution the code imports,
so an import that pyproject.toml does not declare works on the developer's machine and is
then missing, or an untested version, elsewhere.  Every dependency carries licence terms
that ask for a notice: resources/licenses/THIRD-PARTY-NOTICES.md names each one, and a new
dependency without its line there fails here, before a bundle goes out without it.
tests/e2e/test_bundle.py checks the built bundle itself.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LICENSES = ROOT / "resources" / "licenses"
NOTICES = LICENSES / "THIRD-PARTY-NOTICES.md"


def normalized(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503): "Python_Bidi" is "python-bidi"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    """The distributions pyproject.toml's ``dependencies`` name (no extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalized(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", req).group()) for req in project["dependencies"]}


def imported_modules() -> dict[str, set[str]]:
    """Top-level modules omnidesk/ imports that are neither its own nor the standard library's,
    each with the files importing it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "omnidesk").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "omnidesk" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_a_declared_dependency():
    provided_by = importlib.metadata.packages_distributions()
    deps = declared()
    undeclared = []
    for module, files in sorted(imported_modules().items()):
        dists = {normalized(d) for d in provided_by.get(module, [])}
        if not dists & deps:
            undeclared.append(f"{module} (from {sorted(dists) or 'no installed distribution'}; "
                              f"imported in {sorted(files)[0]})")
    assert not undeclared, f"pyproject.toml's dependencies do not declare: {undeclared}"


def test_the_notices_name_every_dependency():
    text = normalized(NOTICES.read_text(encoding="utf-8"))
    missing = sorted(dep for dep in declared() if not re.search(rf"(?<![\w-]){re.escape(dep)}(?![\w-])", text))
    assert not missing, f"{NOTICES.name} does not name: {missing}"


def test_the_notices_cover_qt_and_what_ships_without_its_own_licence():
    text = NOTICES.read_text(encoding="utf-8")
    for name in ("Qt", "PySide6", "shiboken6", "nicknames", "OpenSSL", "Python"):
        assert re.search(rf"\b{name}\b", text), f"{NOTICES.name} does not name {name}"
    # The LGPL asks that the user may replace the library and can get its source.
    assert "LGPL-3.0" in text and "replace" in text
    assert "https://download.qt.io" in text and "https://code.qt.io/cgit/pyside/pyside-setup.git" in text


def test_the_licence_texts_the_notices_point_to_are_there():
    texts = {
        "LGPL-3.0.txt": "GNU LESSER GENERAL PUBLIC LICENSE",
        # The LGPL-3.0 is a set of exceptions to the GPL-3.0, so it needs the GPL's text too.
        "GPL-3.0.txt": "GNU GENERAL PUBLIC LICENSE",
        "Apache-2.0.txt": "Apache License",
    }
    for name, title in texts.items():
        assert title in (LICENSES / name).read_text(encoding="utf-8")[:500], name
