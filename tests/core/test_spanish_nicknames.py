"""Spanish short forms of Francisco (Paco, Pancho, Curro) are his name, not another first name."""

from __future__ import annotations

import pytest

from tests.helpers import cli_imports, exported_customers, run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "City", "Zip"]


@pytest.mark.parametrize("short", ["Paco", "Pancho", "Curro"])
def test_a_short_form_of_francisco_on_his_email_is_him(capsys, tmp_path, short):
    ws = tmp_path / "w.omnidesk"
    shop = write_csv(tmp_path / "shop.csv", HEADER, [["Francisco", "Ibarra", "fibarra@gmail.com", "Denver", "80202"]])
    news = write_csv(tmp_path / "list.csv", HEADER, [[short, "Ibarra", "fibarra@gmail.com", "", ""]])
    cli_imports(capsys, ws, (shop, "shop"), (news, "email"))
    assert [(r["first_name"], r["source_records"]) for r in exported_customers(
        capsys, ws, tmp_path, "first_name,source_records")] == [("Francisco", "2")]
    status, out_text, err = run_cli(capsys, "-w", ws, "review", "list")
    assert status == 0 and "empty" in out_text, out_text + err
