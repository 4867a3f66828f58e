"""The wheel ships resources/ inside the package, and an installed copy finds them there.

Builds the wheel offline from a copy of the checkout (so the build leaves nothing
in it), installs it into a bare folder, and runs Python with only that folder
ahead of the dependencies: the import must read the vendor presets, the header
synonyms, the icons and the demo word lists from the installed package, never
from the checkout.  A preset file dropped into the installed presets folder is
then used by the real ``omnidesk import``: a new vendor layout is a data file.

A few seconds: it runs with the default suite.  The build needs the test
extras' setuptools and wheel (the build backend, used without isolation so that
no network is needed).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from omnidesk.core.importing.presets import PRESETS
from tests.core.test_preset_data import ACME, ACME_HEADER
from tests.helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300
# What the build reads; tests/ and packaging/ are not part of the wheel.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "omnidesk", "resources")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A folder holding only the installed wheel (omnidesk/ and its dist-info)."""
    setuptools, wheel_tool = _version("setuptools"), _version("wheel")
    assert setuptools and int(setuptools.split(".")[0]) >= 69 and wheel_tool, (
        f"building needs the test extras' setuptools>=69 and wheel (have {setuptools}, {wheel_tool}): "
        "pip install -e '.[test]'"
    )
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=junk)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    _run(*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), cwd=work)
    (wheel,) = dist.glob("omnidesk-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "omnidesk/resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*") if p.is_file()
    }
    assert shipped <= names, sorted(shipped - names)
    assert "omnidesk/resources/presets/shopify.toml" in names
    assert "omnidesk/resources/header_synonyms.toml" in names
    assert "omnidesk/resources/send_layouts/buffer.toml" in names
    assert "omnidesk/core/migrations/versions/0001_initial_schema.py" in names
    # Nothing lands beside the package in site-packages.
    assert {n.split("/")[0] for n in names} == {"omnidesk", wheel.name.split("-py3")[0] + ".dist-info"}

    target = work / "site"
    _run(*pip, "install", str(wheel), "--no-deps", "--no-index", "--target", str(target), cwd=work)
    return target


def _python(target: Path, code: str, cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``code`` with the installed copy first on the path and the checkout nowhere on it.

    ``-I`` keeps the current folder and PYTHONPATH off the path; the checkout's own
    editable install is found only after the installed folder, if at all.
    """
    prelude = f"import sys; sys.path.insert(0, {str(target)!r})\n"
    args = (sys.executable, "-I", "-c", prelude + code)
    if check:
        return _run(*args, cwd=cwd, env=os.environ.copy())
    return subprocess.run(args, cwd=cwd, env=os.environ.copy(), capture_output=True, text=True, timeout=TIMEOUT)


def test_an_installed_wheel_reads_its_own_resources(installed, tmp_path):
    proc = _python(installed, """
import json
import omnidesk
from omnidesk.core import demo_data, paths
from omnidesk.core.campaigns import packs_layouts
from omnidesk.core.importing import preset_data, presets
print(json.dumps({
    "package": omnidesk.__file__,
    "resources": str(paths.resources_dir()),
    "presets": [p.key for p in presets.PRESETS],
    "synonyms": sorted(preset_data.load_header_synonyms()),
    "icon": paths.resource_path("icons", "omnidesk.svg").is_file(),
    "theme": paths.resource_path("themes", "base.qss").is_file(),
    "demo": sorted(p.name for p in demo_data.resource_dir().iterdir()),
    "layouts": {n: str(packs_layouts.load_layout(n).path) for n in packs_layouts.layout_names()},
}))
""", cwd=tmp_path)
    got = json.loads(proc.stdout)
    package = installed / "omnidesk"
    assert Path(got["package"]).parent == package
    assert Path(got["resources"]) == package / "resources"
    assert got["presets"] == [p.key for p in PRESETS]
    assert "email" in got["synonyms"] and "ignore" in got["synonyms"]
    assert got["icon"] and got["theme"]
    assert "first_names.csv" in got["demo"]
    assert got["layouts"] == {n: str(package / "resources" / "send_layouts" / f"{n}.toml")
                              for n in ("buffer", "generic", "hootsuite")}


def _import(target: Path, csv_file: Path, workspace: Path, *, check: bool = True) -> subprocess.CompletedProcess:
    return _python(target, f"""
from omnidesk.cli import main
sys.exit(main(["import", {str(csv_file)!r}, "--workspace", {str(workspace)!r}, "--json"]))
""", cwd=workspace.parent, check=check)


def test_a_preset_file_dropped_into_an_installed_copy_is_used(installed, tmp_path):
    presets = installed / "omnidesk" / "resources" / "presets"
    members = write_csv(tmp_path / "members.csv", ACME_HEADER, [
        ["A-1001", "Léa", "Martin", "lea@example.fr", "+33 6 12 34 56 78", "2024-03-01", "Gold", "1200"],
    ])
    (presets / "acme.toml").write_text(ACME, encoding="utf-8")
    try:
        proc = _import(installed, members, tmp_path / "w.omnidesk")
        # A mistake in the file stops the command with one line naming the file and the setting.
        (presets / "acme.toml").write_text(ACME.replace('"Mobile" = "phone"', '"Mobile" = "mobile"'), encoding="utf-8")
        refused = _import(installed, members, tmp_path / "refused.omnidesk", check=False)
    finally:
        (presets / "acme.toml").unlink()
    summary = json.loads(proc.stdout)
    assert (summary["preset"], summary["channel"], summary["kind"]) == ("acme_members", "pos", "contacts")
    assert (summary["imported"], summary["flagged"], summary["new_customers"]) == (1, 0, 1)

    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        f"omnidesk: error: {presets / 'acme.toml'}: preset 'acme_members': columns.'Mobile': unknown field 'mobile'\n"
    )
