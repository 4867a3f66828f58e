"""The card's reasons call the shop's own phone what the resolver calls it: shared, not "same phone".

The till typed the shop's landline for customers of five different last names, two Maria Garcias
among them.  The number joined nobody; a Maria's two till rows are one person by her email, and
``customer why`` must not give the number as evidence of who she is.
"""

from __future__ import annotations

import json

from omnidesk.core.identity.scoring import SHARED_PHONE
from tests.helpers import cli_imports, run_cli, source_placement, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]
SHOP_LINE = "602-264-0100"
GMAIL, HOTMAIL = "maria.garcia88@gmail.com", "mgarcia.az@hotmail.com"


def test_customer_why_names_the_shops_landline_as_shared(capsys, tmp_path):
    ws = tmp_path / "ws.omnidesk"
    shop = [["Maria", "Garcia", GMAIL, "", "301 Vine St", "Phoenix", "85004"],
            ["Maria", "Garcia", HOTMAIL, "", "7720 Cactus Rd", "Phoenix", "85032"]]
    till = [["Maria", "Garcia", GMAIL, SHOP_LINE, "", "Phoenix", ""],
            ["Maria", "Garcia", HOTMAIL, SHOP_LINE, "", "Phoenix", ""],
            ["Maria", "Garcia", GMAIL, SHOP_LINE, "301 Vine St", "Phoenix", ""]]
    till += [[first, last, f"{first}.{last}@gmail.com".lower(), SHOP_LINE, "", "Phoenix", ""]
             for first, last in (("Tom", "Nguyen"), ("Ann", "Park"), ("Luis", "Ortega"), ("Beth", "Kim"))]
    cli_imports(capsys, ws, (write_csv(tmp_path / "shop.csv", HEADER, shop), "shop"),
                (write_csv(tmp_path / "till.csv", HEADER, till), "pos"))
    placed = source_placement(capsys, ws, tmp_path)
    maria = placed[("shop.csv", 1)]
    assert placed[("till.csv", 1)] == placed[("till.csv", 3)] == maria != placed[("shop.csv", 2)]

    status, out, err = run_cli(capsys, "customer", "why", maria, "-w", ws, "--json")
    assert status == 0, err
    links = json.loads(out)["links"]
    said = " | ".join(link["why"] for link in links)
    assert "same phone" not in said, said
    till_pair = [link["why"] for link in links if "till.csv row 1" in link["records"]
                 and "till.csv row 3" in link["records"]]
    assert till_pair and SHARED_PHONE in till_pair[0] and "same email" in till_pair[0], said
