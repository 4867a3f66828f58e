"""``review accept N`` / ``review reject N`` decide the pair ``review list`` showed as N, and say which.

Pair 1 is listed; Mark Lee asks to be erased, which takes pair 1 out of the
queue; a colleague imports the SMS list, which queues a new pair.  Rejecting
"1" afterwards must not keep apart that new pair, which the user never saw.
"""

from __future__ import annotations

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email"]


def _files(tmp_path):
    shop = write_csv(tmp_path / "shop.csv", HEADER, [["Anna", "Lee", "lee@example.com"],
                                                     ["Bea", "Fox", "fox@example.com"]])
    mail = write_csv(tmp_path / "mail.csv", HEADER, [["Mark", "Lee", "lee@example.com"]])
    sms = write_csv(tmp_path / "sms.csv", HEADER, [["Cal", "Fox", "fox@example.com"]])
    return shop, mail, sms


def _cli(capsys, ws, *argv) -> tuple[int, str, str]:
    return run_cli(capsys, "-w", ws, *argv)


def test_a_number_read_off_the_list_never_comes_to_name_a_pair_queued_after_it_was_decided(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    shop, mail, sms = _files(tmp_path)
    assert _cli(capsys, ws, "import", "--channel", "shop", shop)[0] == 0
    assert _cli(capsys, ws, "import", "--channel", "email", mail)[0] == 0
    status, listed, _ = _cli(capsys, ws, "review", "list")
    assert status == 0 and listed.split()[:6] == ["1", "13.4", "Anna", "Lee", "(#1)", "~"]
    assert "Mark Lee (#3)" in listed
    assert _cli(capsys, ws, "person", "erase", "--yes", "3")[0] == 0
    assert _cli(capsys, ws, "import", "--channel", "sms", sms)[0] == 0

    status, out, err = _cli(capsys, ws, "review", "reject", "1")

    assert status != 0 and out == "" and "That pair is no longer in the review queue." in err
    status, out, _ = _cli(capsys, ws, "review", "apart")
    assert "No pairs are kept apart." in out
    status, out, _ = _cli(capsys, ws, "review", "list")
    assert "Bea Fox (#2)  ~  Cal Fox (#4)" in out and not out.lstrip().startswith("1 ")


def test_reject_and_accept_name_the_pair_they_decided(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    for channel, path in zip(("shop", "email", "sms"), _files(tmp_path)):
        assert _cli(capsys, ws, "import", "--channel", channel, path)[0] == 0

    status, out, _ = _cli(capsys, ws, "review", "reject", "1")
    assert status == 0
    assert out == "Kept apart: Anna Lee (#1) and Mark Lee (#3); the pair will not be suggested again.\n"

    status, out, _ = _cli(capsys, ws, "review", "accept", "2")
    assert status == 0
    assert out == "Merged Bea Fox (#2) and Cal Fox (#4) into customer 2.\n"
