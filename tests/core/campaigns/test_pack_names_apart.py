"""Two campaigns whose names give the same file-name part keep their own calendar and packs: the
second to be exported gets -2 after it, kept as its pack name."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import EMAIL_ANN, cli_shop_fixtures, run_cli

NY = "America/New_York"
shop_template, shop = cli_shop_fixtures(EMAIL_ANN, ["settings", "timezone", NY],
                                        ["brand", "set", "address", "1 Market Street, Springfield"])


def plan(tmp_path, name: str, at: str):
    path = tmp_path / f"{len(list(tmp_path.glob('*.json')))}.json"
    path.write_text(json.dumps({
        "name": name, "message": {"headline": name, "link": "https://example.com/spring"}, "audience": "everyone",
        "steps": [{"channel": "email", "at": at, "timezone": NY}]}), encoding="utf-8")
    return str(path)


def summaries(ics) -> list[str]:
    return [line for line in ics.read_text(encoding="utf-8").splitlines() if line.startswith("SUMMARY")]


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_campaigns_whose_names_slug_alike_keep_their_own_files(shop, capsys, tmp_path):
    w, out = ["-w", str(shop)], tmp_path / "packs"
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Spring sale", "2027-03-02T09:00"), *w)[0] == 0
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Spring sale!", "2027-03-20T09:00"), *w)[0] == 0
    assert run_cli(capsys, "campaign", "export", "Spring sale", "--out", str(out), *w)[0] == 0
    status, said, err = run_cli(capsys, "campaign", "export", "Spring sale!", "--out", str(out), *w)
    assert status == 0, err
    assert "spring-sale-2_email_2027-03-20_0900.csv" in said and "Calendar: spring-sale-2.ics" in said
    assert summaries(out / "spring-sale.ics") == ["SUMMARY:Spring sale — Email"]
    assert summaries(out / "spring-sale-2.ics") == ["SUMMARY:Spring sale! — Email"]

    # Its own earlier export is what --force replaces; the name stays its own.
    status, _, err = run_cli(capsys, "campaign", "export", "Spring sale!", "--out", str(out), *w)
    assert status == 1 and "spring-sale-2" in err and "replace the files of an earlier export with --force" in err
    assert run_cli(capsys, "campaign", "export", "Spring sale!", "--out", str(out), "--force", *w)[0] == 0
    assert run_cli(capsys, "campaign", "export", "Spring sale", "--out", str(out), "--force", *w)[0] == 0
    assert summaries(out / "spring-sale.ics") == ["SUMMARY:Spring sale — Email"]
    assert summaries(out / "spring-sale-2.ics") == ["SUMMARY:Spring sale! — Email"]


@time_machine.travel("2027-02-01 12:00:00Z", tick=False)
def test_a_first_export_does_not_call_a_file_already_there_its_earlier_export(shop, capsys, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    (out / "spring-sale.ics").write_text("someone else's calendar", encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan(tmp_path, "Spring sale", "2027-03-02T09:00"),
                   "-w", str(shop))[0] == 0
    status, _, err = run_cli(capsys, "campaign", "export", "Spring sale", "--out", str(out), "-w", str(shop))
    assert status == 1 and "Spring sale was never exported" in err and "earlier export" not in err
    assert (out / "spring-sale.ics").read_text(encoding="utf-8") == "someone else's calendar"
