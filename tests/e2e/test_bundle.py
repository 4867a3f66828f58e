"""The PyInstaller bundle works on its own: CLI, data files, and the window.

Builds the one-folder bundle with packaging/build.sh into a temporary folder
(a few minutes), then runs the built executable, never the source.  Set
``OMNIDESK_BUNDLE_DIR`` to an existing bundle folder (the one holding the
``omnidesk`` executable, e.g. packaging/dist/omnidesk) to skip the build.

Run with ``python -m pytest tests/e2e -m slow``.

What a bundle typically gets wrong is a file nobody imports: the migrations
Alembic loads by path, the phone metadata loaded lazily per country, a CSV
inside a dependency, the vendor presets in resources/.  Some of those fail softly, so the bundle's output is
compared with the same work done from source, not only checked for a zero
exit status.
"""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import omnidesk
from omnidesk.core.demo import build_demo
from tests.core.test_presets import FILE_NAMES, FILES
from tests.helpers import write_csv

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXE_NAME = "omnidesk.exe" if sys.platform == "win32" else "omnidesk"
BUILD_TIMEOUT = 1800  # seconds; a cold build on two cores takes a few minutes
RUN_TIMEOUT = 120
WINDOW_TIMEOUT = 60  # seconds to the first painted window, generous for a loaded machine
DEMO_CUSTOMERS = 40


@pytest.fixture(scope="module")
def exe(tmp_path_factory) -> Path:
    given = os.environ.get("OMNIDESK_BUNDLE_DIR")
    if given:
        path = Path(given).expanduser() / EXE_NAME
        assert path.is_file(), f"OMNIDESK_BUNDLE_DIR={given} holds no {EXE_NAME}"
        return path
    if sys.platform == "win32":
        pytest.skip("packaging/build.sh needs bash; set OMNIDESK_BUNDLE_DIR to a built bundle")
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh"), "--dist-dir", str(dist)],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    assert proc.returncode == 0, f"build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    print(proc.stdout.strip().splitlines()[-1])  # the bundle size, for the log
    path = dist / "omnidesk" / EXE_NAME
    assert path.is_file()
    return path


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A headless environment whose data and settings stay in tmp_path."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OMNIDESK_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


def run(exe: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_version(exe, env):
    proc = run(exe, "--version", env=env)
    assert proc.returncode == 0, proc.stderr
    # The version comes from bundled package metadata; a fallback would still print something.
    assert proc.stdout.strip() == f"omnidesk {omnidesk.__version__}"


def test_demo_builds_and_matches_source(exe, env, tmp_path):
    workspace = tmp_path / "demo.omnidesk"
    proc = run(exe, "demo", "--workspace", str(workspace), "--customers", str(DEMO_CUSTOMERS), env=env)
    assert proc.returncode == 0, proc.stderr
    assert workspace.is_file()

    proc = run(exe, "info", "--json", "--workspace", str(workspace), env=env)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["counts"]["customers"] > 0
    assert info["omnidesk"] == omnidesk.__version__

    # The demo is deterministic, so the bundle must build exactly what the source
    # builds; a difference means the bundle lacks some data (or is stale).
    source = build_demo(tmp_path / "source.omnidesk", customers=DEMO_CUSTOMERS)
    assert info["counts"] == source["counts"]


def test_phone_and_country_data_are_bundled(exe, env, tmp_path):
    # Each country's phone metadata, and the country names in many languages,
    # are modules phonenumbers loads only when first needed.
    people = tmp_path / "people.csv"
    people.write_text(
        "First Name,Last Name,Email,Phone,Country\n"
        "Ada,Lovelace,ada@example.com,(415) 555-0142,US\n"
        "Klaus,Becker,klaus@example.de,030 9018 2011,DE\n"
        "Jane,Doe,jane@example.co.uk,020 7946 0123,GB\n"
        "Ivana,Horvat,ivana@example.hr,01 4567 890,Hrvatska\n",
        encoding="utf-8",
    )
    workspace = tmp_path / "people.omnidesk"
    proc = run(exe, "import", str(people), "--workspace", str(workspace), env=env)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "customers.csv"
    proc = run(exe, "export", "customers", str(out), "--workspace", str(workspace), env=env)
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8", newline="") as fh:
        got = {row["email"]: (row["phone"], row["country"]) for row in csv.DictReader(fh)}
    assert got == {
        "ada@example.com": ("+14155550142", "US"),
        "klaus@example.de": ("+493090182011", "DE"),
        "jane@example.co.uk": ("+442079460123", "GB"),
        "ivana@example.hr": ("+38514567890", "HR"),
    }


def test_a_campaign_plans_and_exports_from_the_bundle(exe, env, tmp_path):
    # Quiet hours read phone numbers' time zones and countries' zones (tzdata); the packs
    # are written with the calendar, the poster and the layouts the bundle carries.
    people = tmp_path / "people.csv"
    people.write_text("First Name,Email,Phone,Accepts Email Marketing,Accepts SMS Marketing\n"
                      "Ada,ada@example.com,(212) 555-0142,yes,yes\n"
                      "Bo,bo@example.com,(213) 555-0199,yes,yes\n"
                      "Cy,cy@example.com,+1 876 555 0123,yes,yes\n", encoding="utf-8")
    workspace = tmp_path / "shop.omnidesk"
    assert run(exe, "import", str(people), "--workspace", str(workspace), env=env).returncode == 0
    for field, value in (("name", "Harbor"), ("address", "12 Quay St, Portland")):
        assert run(exe, "brand", "set", field, value, "--workspace", str(workspace), env=env).returncode == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Spring", "audience": "everyone",
        "message": {"headline": "Spring sale", "offer_code": "SPRING", "link": "https://hc.example/s"},
        "variants": {"sms": {"text": "Harbor: SPRING https://hc.example/s?utm_source=sms&utm_medium=sms"
                                     "&utm_campaign=spring Reply STOP"}},
        "steps": [{"channel": "sms", "at": "2027-03-01T22:30", "timezone": "America/New_York"},
                  {"channel": "store", "at": "2027-03-01T08:00", "timezone": "America/New_York"}]}),
        encoding="utf-8")
    proc = run(exe, "campaign", "import", str(plan), "--workspace", str(workspace), env=env)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "packs"
    out.mkdir()
    proc = run(exe, "campaign", "export", "Spring", "--out", str(out), "--json", "--workspace", str(workspace),
               env=env)
    assert proc.returncode == 0, proc.stderr
    with (out / "spring_sms_2027-03-01_2230.csv").open(encoding="utf-8", newline="") as fh:
        zones = {row["Phone"]: row["Time zone"] for row in csv.DictReader(fh)}
    # A Jamaican +1 number rings on Kingston's clock alone: the country's zones come from tzdata's
    # zone.tab and its links file, which the bundle must carry.
    assert zones == {"+12125550142": "America/New_York", "+12135550199": "America/Los_Angeles",
                     "+18765550123": "America/Jamaica"}
    assert (out / "spring_store_2027-03-01_0800.pdf").read_bytes().startswith(b"%PDF") and (out / "spring.ics").is_file()


def test_vendor_presets_are_bundled(exe, env, tmp_path):
    # The presets are data files, read when the import starts: every shipped layout
    # must be recognised by the bundle as it is from source.
    # One row each: a file with a header and no rows is refused as having nothing to import.
    # Each under the name its vendor gives it where the preset goes by the file's name too (Mailchimp's
    # subscribed and non-subscribed lists share one header).
    names = {key: FILE_NAMES.get(key, f"{key}.csv") for key in FILES}
    files = [write_csv(tmp_path / names[key], header, [["1"] * len(header)]) for key, header in FILES.items()]
    workspace = tmp_path / "presets.omnidesk"
    proc = run(exe, "import", *map(str, files), "--workspace", str(workspace), "--dry-run", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    summaries = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {s["file"]: s["preset"] for s in summaries} == {names[key]: key for key in FILES}


def test_a_phones_contacts_import_from_the_bundle(exe, env, tmp_path):
    # A .vcf is read by omnidesk's own vCard reader (quoted-printable and base64 from the standard
    # library): an iPhone's and an Android phone's exports import as from source.
    from tests.core.test_cli_vcard import ANDROID, IPHONE

    iphone, android = tmp_path / "iphone.vcf", tmp_path / "android.vcf"
    iphone.write_bytes(IPHONE)
    android.write_bytes(ANDROID)
    proc = run(exe, "import", str(iphone), str(android), "--workspace", str(tmp_path / "contacts.omnidesk"),
               "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    summaries = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(s["preset"], s["channel"], s["imported"], s["flagged"]) for s in summaries] == [
        ("vcard", "contacts", 2, 0), ("vcard", "contacts", 2, 0)]


def test_a_big_import_normalizes_in_worker_processes_from_the_bundle(exe, env, tmp_path):
    # A big import may start worker processes with "spawn": in a frozen
    # bundle each is the executable again, which freeze_support turns into a worker instead of
    # a second program.  The result must be what the same import gives from source.
    from omnidesk.core.importing.parallel import PARALLEL_MIN_ROWS, WORKERS_VARIABLE
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from omnidesk.core.workspace import Workspace

    rows = [[f"p{i}@example.com" if i % 500 else f"p{i}@broken", f"Ann{i % 31}", f"Lee{i % 17}",
             f"+1 415 555 {i % 7000:04d}" if i % 3 else ""] for i in range(PARALLEL_MIN_ROWS)]
    data = write_csv(tmp_path / "big.csv", ["Email", "First Name", "Last Name", "Phone"], rows)
    workspace = tmp_path / "big.omnidesk"
    # Workers whatever the machine's cores (on few cores an import stays in-process).
    proc = subprocess.run([str(exe), "import", str(data), "--channel", "shop", "--workspace", str(workspace),
                           "--json"], env={**env, WORKERS_VARIABLE: "2"}, capture_output=True, text=True,
                          timeout=10 * RUN_TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    with Workspace.create(tmp_path / "source.omnidesk") as ws:
        want = import_file(ws, data, ImportOptions(channel="shop"))
    assert (got["imported"], got["flagged"]) == (PARALLEL_MIN_ROWS, PARALLEL_MIN_ROWS // 500)
    assert (got["imported"], got["flagged"], got["new_customers"], got["queued_reviews"]) == \
        (want.imported, want.flagged, want.new_customers, want.queued_reviews)


def _bundled_modules(exe: Path) -> set[str]:
    """The Python modules inside the executable's PYZ archive."""
    from PyInstaller.archive.readers import PKG_ITEM_PYZ, CArchiveReader

    archive = CArchiveReader(str(exe))
    modules: set[str] = set()
    for name, entry in archive.toc.items():
        if entry[-1] == PKG_ITEM_PYZ:
            modules |= set(archive.open_embedded_archive(name).toc)
    return modules


def test_message_renderers_and_their_files_are_bundled(exe):
    # Nothing is imported until a message is rendered, so a missing font, library or
    # module would only show when someone previews a poster: check each is there.
    modules = _bundled_modules(exe)
    for name in ("omnidesk.core.messages.email", "omnidesk.core.messages.poster", "css_inline",
                 "inscriptis.html_engine", "lxml.html", "segno", "reportlab.pdfgen.canvas",
                 "reportlab.pdfbase.ttfonts", "pypdfium2", "pypdfium2_raw", "PIL.PngImagePlugin",
                 "PIL.JpegImagePlugin"):
        assert name in modules, f"{name} is not in the bundle"
    internal = exe.parent / "_internal"
    if not internal.is_dir():
        pytest.skip("a one-file bundle keeps its files inside the executable")
    fonts = internal / "reportlab" / "fonts"
    assert (fonts / "Vera.ttf").is_file() and (fonts / "VeraBd.ttf").is_file()
    # The printed report's fonts come with resources/.
    assert (internal / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    assert list((internal / "pypdfium2_raw").glob("*pdfium*")), "PDFium's library is missing"
    assert (internal / "pypdfium2_raw" / "version.json").is_file()
    assert list((internal / "css_inline").glob("css_inline*")), "css-inline's extension is missing"


# Optional imports of dependencies, and build tools, that the spec leaves out: none is
# needed at run time, and none would ship its licence.
LEFT_OUT = ("scipy", "pytz", "threadpoolctl", "setuptools", "pkg_resources", "wheel")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _licence_files(internal: Path, dist: str) -> list[Path]:
    """The licence files in ``dist``'s .dist-info folder inside the bundle."""
    pattern = re.compile(r"LICEN[CS]E|COPYING|NOTICE", re.IGNORECASE)
    return [path for info in internal.glob("*.dist-info")
            if _normalized(info.name.rsplit("-", 1)[0]) == _normalized(dist)
            for path in info.rglob("*") if path.is_file() and pattern.search(path.name)]


def test_licences_ship_and_gpl_code_does_not(exe):
    internal = exe.parent / "_internal"
    if not internal.is_dir():
        pytest.skip("a one-file bundle keeps its files inside the executable")
    # GNU Readline is GPL-3.0; the stdlib's readline module would link it into the app.
    assert not list(internal.rglob("libreadline*")), "GNU Readline (GPL-3.0) is in the bundle"
    assert not list(internal.rglob("readline.*")), "the readline module is in the bundle"
    present = [name for name in LEFT_OUT if (internal / name).exists()]
    assert not present, f"left out on purpose, yet bundled: {present}"

    licences = internal / "resources" / "licenses"
    notices = [*licences.glob("THIRD-PARTY-NOTICES.*")]
    assert notices, "no THIRD-PARTY-NOTICES in resources/licenses"
    text = notices[0].read_text(encoding="utf-8")
    for name in ("Qt", "PySide6", "shiboken6", "nicknames", "OpenSSL"):
        assert re.search(rf"\b{name}\b", text), f"the notices do not name {name}"
    for name, title in (("LGPL-3.0.txt", "GNU LESSER GENERAL PUBLIC LICENSE"),
                        ("GPL-3.0.txt", "GNU GENERAL PUBLIC LICENSE"), ("Apache-2.0.txt", "Apache License")):
        assert title in (licences / name).read_text(encoding="utf-8"), name
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in (licences / "Python" / "LICENSE.txt").read_text(encoding="utf-8")
    if list(internal.glob("libssl.so*")) and shutil.which("dpkg"):
        # Copied from the build system, so its copyright file is copied beside the notices.
        assert any("OpenSSL" in f.read_text(encoding="utf-8", errors="replace")
                   for f in licences.glob("system/*/copyright")), "OpenSSL's copyright file is missing"

    # Every package folder from a distribution has that distribution's licence in the
    # bundle: its own licence files in its .dist-info, or, for the few distributions
    # that carry none (PySide6, shiboken6, nicknames), a line in the notices.
    provided_by = importlib.metadata.packages_distributions()
    named = _normalized(text)
    missing = []
    for folder in sorted(p.name for p in internal.iterdir() if p.is_dir() and "." not in p.name):
        for dist in provided_by.get(folder, []):
            if _normalized(dist) == "omnidesk" or _licence_files(internal, dist):
                continue
            if not re.search(rf"(?<![\w-]){re.escape(_normalized(dist))}(?![\w-])", named):
                missing.append(f"{folder}/ ({dist})")
    assert not missing, f"shipped without their licence: {missing}"


def test_window_starts_offscreen(exe, env, tmp_path):
    # Build the demo first (small), so --demo opens it at once and the
    # seconds below are spent with the window up, not building data.
    data = Path(env["OMNIDESK_DATA_DIR"])
    proc = run(exe, "demo", "--workspace", str(data / "demo.omnidesk"), "--customers", str(DEMO_CUSTOMERS), env=env)
    assert proc.returncode == 0, proc.stderr

    # Qt's painting log says when the main window is first flushed to the
    # screen: proof the window was built and painted, not only that the
    # process is still alive.  Qt logs to the journal unless told otherwise.
    gui_env = {**env, "QT_LOGGING_RULES": "qt.widgets.painting=true", "QT_FORCE_STDERR_LOGGING": "1"}
    stderr_path = tmp_path / "gui.stderr"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        launched = time.monotonic()
        gui = subprocess.Popen([str(exe), "--demo"], env=gui_env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            painted = None
            while painted is None and gui.poll() is None and time.monotonic() - launched < WINDOW_TIMEOUT:
                if _first_frame_logged(stderr_path.read_text(encoding="utf-8", errors="replace")):
                    painted = time.monotonic() - launched
                else:
                    time.sleep(0.1)
            # Stay up a few seconds with the window open: late failures (a
            # deferred load, an image plugin) show up by then.
            time.sleep(max(0.0, 4.0 - (time.monotonic() - launched)))
            status = gui.poll()
        finally:
            gui.terminate()
            try:
                gui.wait(timeout=10)
            except subprocess.TimeoutExpired:
                gui.kill()
                gui.wait()
    errors = stderr_path.read_text(encoding="utf-8", errors="replace")
    problems = "\n".join(line for line in errors.splitlines() if not line.startswith("qt.widgets.painting:"))
    assert status is None, f"the app exited early with status {status}:\n{problems}"
    assert painted is not None, f"no window was painted within {WINDOW_TIMEOUT} s:\n{problems}"
    assert "Traceback" not in errors, problems
    # Qt reports a missing platform plugin on stderr.
    assert "Qt platform plugin" not in errors, problems
    print(f"window painted {painted:.2f} s after launch")


def _first_frame_logged(log: str) -> bool:
    return any(
        line.startswith("qt.widgets.painting: Flushing") and "of MainWindow" in line for line in log.splitlines()
    )
