"""`omnidesk brand …` and `omnidesk message import/list/export-json`."""

from __future__ import annotations

import json

import pytest

from omnidesk.cli import main
from tests.core.messages.test_store import MASTER


@pytest.fixture
def shop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    assert main(["demo", "--workspace", str(path), "--customers", "5"]) == 0 or path.exists()
    capsys.readouterr()
    return path


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_brand_set_and_show(shop, capsys):
    assert run(capsys, "brand", "set", "name", "Harbor Candles", "-w", str(shop))[1].strip() == \
        "Brand name: Harbor Candles"
    assert run(capsys, "brand", "set", "banned_words", "free, guaranteed", "-w", str(shop))[1].strip() == \
        "Brand banned_words: free, guaranteed"
    status, _, err = run(capsys, "brand", "set", "colors", "blue", "-w", str(shop))
    assert status != 0 and "colors: give one or two colours" in err and len(err.strip().splitlines()) == 1
    data = json.loads(run(capsys, "brand", "show", "--json", "-w", str(shop))[1])
    assert data["name"] == "Harbor Candles" and data["banned_words"] == ["free", "guaranteed"]
    lines = run(capsys, "brand", "show", "-w", str(shop))[1].splitlines()
    assert any(line.split()[:1] == ["sms_opt_out"] and "Reply STOP" in line for line in lines)


def test_message_import_list_export(shop, capsys, tmp_path):
    doc = tmp_path / "launch.json"
    doc.write_text(json.dumps({"name": "Autumn launch", "message": MASTER,
                               "variants": {"sms": {"text": "Autumn is here"}}}), encoding="utf-8")
    status, out, _ = run(capsys, "message", "import", str(doc), "-w", str(shop))
    assert (status, out.strip()) == (0, "Saved message Autumn launch: email, sms, facebook, instagram, store")
    data = json.loads(run(capsys, "message", "list", "--json", "-w", str(shop))[1])
    assert [(m["name"], m["stale"]) for m in data] == [("Autumn launch", [])]
    out_file = tmp_path / "out.json"
    assert run(capsys, "message", "export-json", "autumn launch", str(out_file), "-w", str(shop))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["variants"]["sms"] == {"text": "Autumn is here"}
    status, _, err = run(capsys, "message", "export-json", "Autumn launch", str(out_file), "-w", str(shop))
    assert status != 0 and "--force" in err
    status, _, err = run(capsys, "message", "export-json", "Autumn launch", str(shop), "--force", "-w", str(shop))
    assert status != 0  # never over a workspace
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    status, _, err = run(capsys, "message", "import", str(bad), "-w", str(shop))
    assert status != 0 and "is not a JSON file" in err and len(err.strip().splitlines()) == 1
