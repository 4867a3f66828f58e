"""One mailbox written several ways is one person's: Gmail's dots and "+" tags, any service's "+" tag.

"jane.doe@gmail.com" at the till and "janedoe+news@googlemail.com" on the newsletter are
the same mailbox (Gmail ignores dots and what follows a "+"; most services deliver a "+"
tag to the address without it).  Records are matched by the mailbox, on an import as on a
rebuild; the address stays on the card as each file wrote it.  (A family's mailbox written
two ways still keeps the family apart: ``test_identity``'s family test.)
"""

from __future__ import annotations

import pytest
from alembic import command

from omnidesk.core.contact import mailbox_key, mailbox_of
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.core.test_identity import customers_after, customers_of, load


@pytest.mark.parametrize(("email", "key"), [
    ("Jane.Doe+news@GoogleMail.com", "janedoe@gmail.com"),
    ("j.a.n.e.doe@gmail.com", "janedoe@gmail.com"),
    ("carol+spring-sale@shop.example", "carol@shop.example"),
    ("carol.smith@shop.example", "carol.smith@shop.example"),  # dots matter outside Gmail
    ("+1@shop.example", "+1@shop.example"),  # nothing before the "+": no tag, the whole name
])
def test_a_mailbox_is_the_address_less_what_its_service_ignores(email, key):
    assert mailbox_key(email) == key
    lowered = email.lower()
    assert mailbox_of(lowered) == (None if key == lowered else key)


@pytest.mark.parametrize("scratch", [False, True], ids=["import", "rebuild"])
def test_one_mailbox_written_two_ways_is_one_customer(ws, tmp_path, scratch):
    # Nothing but the mailbox links them: no phone, no postcode, a name the list cut short.
    load(ws, tmp_path, "shop.csv", [["Jane", "Doe", "jane.doe@gmail.com", "", "", "", "71"],
                                    ["Carol", "Smith", "carol@shop.example", "", "", "", "72"]])
    load(ws, tmp_path, "list.csv", [["J.", "Doe", "janedoe+news@googlemail.com", "", "", "", ""],
                                    ["Carol", "", "carol+spring@shop.example", "", "", "", ""]], channel="email")
    ids = customers_after(ws, scratch)
    assert ids[("shop.csv", 1)] == ids[("list.csv", 1)]
    assert ids[("shop.csv", 2)] == ids[("list.csv", 2)]
    assert len(set(ids.values())) == 2
    # Each record keeps its address as written; the card's email is one of them.
    with ws.engine.connect() as conn:
        written = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind = 'email'")}
        card = conn.exec_driver_sql("SELECT email FROM customer WHERE id = ?", (ids[("shop.csv", 1)],)).scalar()
    assert {"jane.doe@gmail.com", "janedoe+news@googlemail.com", "carol+spring@shop.example"} <= written
    assert card in ("jane.doe@gmail.com", "janedoe+news@googlemail.com")


def test_an_older_workspace_gets_its_mailboxes_and_matches_by_them(tmp_path):
    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as ws:
        load(ws, tmp_path, "shop.csv", [["Jane", "Doe", "jane.doe@gmail.com", "", "", "", "71"],
                                        ["Ann", "Lee", "ann@example.com", "", "", "", "72"]])
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0024")
            assert "mailbox" not in {c[1] for c in conn.exec_driver_sql("PRAGMA table_info(identifier)")}
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            stored = dict(conn.exec_driver_sql("SELECT value, mailbox FROM identifier WHERE kind = 'email'").all())
        assert stored == {"jane.doe@gmail.com": "janedoe@gmail.com", "ann@example.com": None}
        load(ws, tmp_path, "list.csv", [["J.", "Doe", "janedoe@gmail.com", "", "", "", ""]], channel="email")
        ids = customers_of(ws)
        assert ids[("shop.csv", 1)] == ids[("list.csv", 1)]
