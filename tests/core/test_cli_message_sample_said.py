"""`omnidesk message check` says what its lengths are measured on, as the Messages screen does:
the longest of the customers there are, or of the sample taken from more."""

from __future__ import annotations

import shutil

import pytest

from omnidesk.core.edits import add_customer
from omnidesk.core.messages import store
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

MASTER = {"headline": "Autumn candles", "body": "Hi {first_name}, our autumn candles are back.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "link": "https://shop.example.com/autumn"}
VARIANTS = {"email": {"subject": "Hi {first_name|there}", "preheader": "", "body": "Hi {first_name|there}"}}


@pytest.mark.parametrize("many, said", [(0, "someone with no data: no customers yet"),
                                        (1, "the longest of your 1 customer"),
                                        (23, "the longest of 20 sampled customers")])
def test_check_says_how_many_customers_the_lengths_are_measured_on(tmp_path, empty_workspace_file, capsys,
                                                                   many, said):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    with Workspace.open(path) as ws:
        for i in range(many):
            add_customer(ws, {"first_name": "Maximiliana" if i == 0 else f"Ann{i}"})
        store.save_message(ws, "Autumn", MASTER, variants=VARIANTS)
    status, out, err = run_cli(capsys, "message", "check", "Autumn", "-w", path)
    lines = out.splitlines()
    email = next(line for line in lines if line.startswith("Email: "))
    assert email.endswith(f" of 60 ({said})"), out
    facebook = next(line for line in lines if line.startswith("Facebook: "))
    assert facebook.endswith(" (as everyone sees it)"), out
