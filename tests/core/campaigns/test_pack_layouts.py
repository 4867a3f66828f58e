"""Social pack layouts are data: a corrected file changes the pack, a broken one says where it is broken."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from omnidesk.core import paths
from omnidesk.core.campaigns.packs import SocialPost, write_social_pack
from omnidesk.core.campaigns.packs_layouts import (
    LAYOUTS_FOLDER,
    LayoutFileError,
    layout_names,
    load_layout,
    load_layout_file,
)

POST = SocialPost(text="Hello", link="https://shop.example", image_url="https://shop.example/a.png",
                  tags=("a", "b"), at=datetime(2026, 7, 4, 16, 45, tzinfo=ZoneInfo("America/Chicago")),
                  network="facebook")


def test_every_shipped_layout_loads():
    assert layout_names() == ["buffer", "generic", "hootsuite"]
    for name in layout_names():
        layout = load_layout(name)
        assert layout.name == name and layout.columns and layout.label


def test_a_corrected_layout_file_changes_the_pack_without_code(tmp_path, monkeypatch):
    folder = tmp_path / "resources" / LAYOUTS_FOLDER
    shutil.copytree(paths.resource_path(LAYOUTS_FOLDER), folder)
    text = (folder / "buffer.toml").read_text(encoding="utf-8")
    (folder / "buffer.toml").write_text(text.replace('"Posting Time"', '"Scheduled At"')
                                        .replace("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"), encoding="utf-8")
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "resources")
    out = tmp_path / "b.csv"
    write_social_pack(out, "buffer", [POST])
    with out.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [["Text", "Image URL", "Tags", "Scheduled At"],
                                        ["Hello", "https://shop.example/a.png", "a,b", "04.07.2026 16:45"]]


def test_a_utc_time_column(tmp_path):
    path = tmp_path / "utc.toml"
    path.write_text('label = "UTC"\n[[column]]\nheader = "When"\nvalue = "at_utc"\nformat = "%Y-%m-%dT%H:%MZ"\n',
                    encoding="utf-8")
    out = tmp_path / "u.csv"
    write_social_pack(out, load_layout_file(path), [POST])
    assert out.read_text(encoding="utf-8").splitlines() == ["When", "2026-07-04T21:45Z"]


_GOOD_COLUMN = '[[column]]\nheader = "Text"\nvalue = "text"\n'


@pytest.mark.parametrize(("content", "problem"), [
    ("label = ", "not valid TOML"),
    ('label = "x"\n', "column: required"),
    (_GOOD_COLUMN, "label: required"),
    ('label = "x"\nheader_row = "no"\n' + _GOOD_COLUMN, "header_row: must be true or false"),
    ('label = "x"\ncolour = "red"\n' + _GOOD_COLUMN, "the file: unknown setting 'colour'"),
    ('label = "x"\nminute_step = 7\n' + _GOOD_COLUMN, "minute_step: must be a whole number dividing 60, not 7"),
    ('label = "x"\nminute_step = "5"\n' + _GOOD_COLUMN, "minute_step: must be a whole number"),
    ('label = "x"\n' + _GOOD_COLUMN + '[[column]]\nheader = "When"\nvalue = "time"\n',
     "column #2: value: must be one of text, link, link_not_in_text, image_url, tags, at, at_utc, network, not 'time'"),
    ('label = "x"\n[[column]]\nvalue = "text"\n', "column #1: header: required"),
    ('label = "x"\n[[column]]\nheader = "When"\nvalue = "at"\n', "column #1: format: required for 'at'"),
    ('label = "x"\n[[column]]\nheader = "When"\nvalue = "at"\nformat = "YYYY-MM-DD"\n',
     "column #1: format: 'YYYY-MM-DD' has no %-code"),
    ('label = "x"\n[[column]]\nheader = "T"\nvalue = "text"\nformat = "%Y"\n',
     "column #1: format: only a time"),
    ('label = "x"\n[[column]]\nheader = "T"\nvalue = "text"\njoin = ";"\n', "column #1: join: only tags"),
    ('label = "x"\n[[column]]\nheader = "T"\nvalue = "text"\nwidth = 3\n', "column #1: unknown setting 'width'"),
    ('label = "x"\n' + _GOOD_COLUMN + '[[column]]\nheader = "text"\nvalue = "link"\n',
     "column #2: header: 'text' is used twice"),
])
def test_a_broken_layout_file_names_the_file_and_the_setting(tmp_path, content, problem):
    path = tmp_path / "broken.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LayoutFileError) as caught:
        load_layout_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)
    with pytest.raises(LayoutFileError, match="broken.toml"):
        load_layout("broken", folder=tmp_path)


def test_a_broken_shipped_layout_stops_the_pack_before_any_file(tmp_path, monkeypatch):
    folder = tmp_path / "resources" / LAYOUTS_FOLDER
    shutil.copytree(paths.resource_path(LAYOUTS_FOLDER), folder)
    (folder / "buffer.toml").write_text('label = "Buffer"\n[[column]]\nheader = "Text"\nvalue = "txt"\n',
                                        encoding="utf-8")
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "resources")
    with pytest.raises(LayoutFileError, match=r"buffer\.toml: column #1: value: .* not 'txt'"):
        write_social_pack(tmp_path / "out.csv", "buffer", [POST])
    assert not (tmp_path / "out.csv").exists()


def test_a_layout_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes('label = "Caf\xe9"\n'.encode("latin-1") + _GOOD_COLUMN.encode())
    with pytest.raises(LayoutFileError, match="not UTF-8"):
        load_layout_file(path)


def test_the_shipped_layouts_are_in_the_resources_folder():
    folder = Path(paths.resource_path(LAYOUTS_FOLDER))
    assert sorted(p.name for p in folder.glob("*.toml")) == ["buffer.toml", "generic.toml", "hootsuite.toml"]
