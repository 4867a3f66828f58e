"""A damaged workspace: one clear line from every command, and a way to get the customers back."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from omnidesk.cli import main
from omnidesk.core.demo import build_demo
from omnidesk.core.errors import UserError
from omnidesk.core.recover import recover_workspace
from omnidesk.core.workspace import DamagedWorkspaceError, Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "shop.omnidesk"
    build_demo(path, customers=60)
    return path


def _pages_of(path: Path, table: str) -> list[int]:
    """The page numbers (1-based) holding ``table``'s b-tree, from SQLite's dbstat table."""
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (table,))]
    except sqlite3.OperationalError:  # a SQLite built without dbstat
        return []
    finally:
        con.close()


def damage(src: Path, dest: Path, tables=("customer", "source_record", "event", "identifier"),
           share: float = 0.15) -> int:
    """Copy ``src`` and overwrite some pages of these tables (their middles) with random bytes."""
    shutil.copyfile(src, dest)
    con = sqlite3.connect(dest)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    total = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    rng = random.Random(7)
    victims: set[int] = set()
    for table in tables:
        pages = _pages_of(dest, table)[1:]  # never the root: that loses the whole table
        if pages:
            k = max(1, int(len(pages) * share))
            middle = pages[len(pages) // 4: len(pages) // 4 + 3 * k]
            victims.update(rng.sample(middle, min(k, len(middle))))
    if not victims:  # no dbstat: pages in the middle third of the file
        victims = set(rng.sample(range(total // 3, 2 * total // 3), max(2, total // 20)))
    with dest.open("r+b") as fh:
        for page in sorted(victims):
            fh.seek((page - 1) * page_size)
            fh.write(rng.randbytes(page_size))
    return len(victims)


def customers_in(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM customer").fetchone()[0]
    finally:
        con.close()


def test_info_and_resolve_on_a_damaged_workspace_say_so_in_one_line(demo, tmp_path, capsys):
    broken = tmp_path / "shop.omnidesk"
    assert damage(demo, broken) > 0
    for command in (["info"], ["resolve"], ["export", "customers", str(tmp_path / "out.csv")]):
        assert main([*command, "-w", str(broken)]) == 1
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err and "@" not in err.replace(str(tmp_path), "")
        assert lines[0] == (f'omnidesk: error: shop.omnidesk is damaged (SQLite says its disk image is malformed). '
                            f'Restore the latest backup, or recover what can be read into a new file with: '
                            f'omnidesk recover "{broken}" NEW.omnidesk')
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.part").exists()


def emails_of_customers(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT email FROM customer WHERE email IS NOT NULL")}
    finally:
        con.close()


def test_recover_gets_most_customers_back(demo, tmp_path, capsys):
    before = customers_in(demo)
    people = emails_of_customers(demo)
    broken = tmp_path / "shop.omnidesk"
    damage(demo, broken)
    original = broken.read_bytes()
    new = tmp_path / "recovered.omnidesk"
    assert main(["recover", str(broken), str(new)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Recovered into {new} (row by row, skipping ") and "was not changed" in out
    assert broken.read_bytes() == original  # the damaged file is only read

    con = sqlite3.connect(new)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        recovered = con.execute("SELECT count(*) FROM customer").fetchone()[0]
        # Every contact record has its customer again; no customer is left without a record.
        assert con.execute("SELECT count(*) FROM source_record WHERE customer_id IS NULL "
                           "AND kind = 'contacts'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM customer c WHERE NOT EXISTS "
                           "(SELECT 1 FROM source_record r WHERE r.customer_id = c.id)").fetchone()[0] == 0
        # The search finds recovered people.
        name = con.execute("SELECT last_name FROM customer WHERE length(last_name) >= 3 LIMIT 1").fetchone()[0]
    finally:
        con.close()
    assert 0.75 * before <= recovered <= 1.25 * before, (recovered, before)
    back = people & emails_of_customers(new)
    assert len(back) >= 0.75 * len(people), (len(back), len(people))
    with Workspace.open(new) as ws:  # the Customers screen's search finds recovered people
        from omnidesk.core.customers import customer_ids

        assert customer_ids(ws, search=name)
    assert main(["info", "-w", str(new)]) == 0


def test_recover_of_a_sound_file_copies_it_whole(demo, tmp_path):
    summary = recover_workspace(demo, tmp_path / "copy.omnidesk")
    assert summary["method"] == "copy" and summary["counts"]["customers"] == customers_in(demo)


def test_recover_refuses_to_overwrite(demo, tmp_path, capsys):
    taken = tmp_path / "taken.omnidesk"
    taken.write_bytes(b"mine")
    assert main(["recover", str(demo), str(taken)]) == 1
    assert "already exists" in capsys.readouterr().err and taken.read_bytes() == b"mine"


def test_recover_never_replaces_a_workspace_that_took_the_new_name_meanwhile(demo, tmp_path, monkeypatch):
    """The new name is checked before a recovery that can take minutes: one made meanwhile (another
    window, a copy the user saved) was renamed over at the end."""
    import omnidesk.core.recover as recover

    new, mine = tmp_path / "new.omnidesk", tmp_path / "mine.omnidesk"
    shutil.copyfile(demo, mine)
    checked = recover._is_workspace

    def and_meanwhile(path):
        shutil.copyfile(mine, new)
        return checked(path)

    monkeypatch.setattr(recover, "_is_workspace", and_meanwhile)
    with pytest.raises(UserError, match="already exists"):
        recover_workspace(demo, new)
    assert new.read_bytes() == mine.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.omnidesk", "new.omnidesk"]  # nothing left


def test_restoring_a_backup_leaves_other_files_beside_the_workspace_alone(demo, tmp_path):
    """Its copy was made under one fixed name beside the workspace, removing whatever had it first."""
    from omnidesk.core.recover import restore_backup

    path, backup = tmp_path / "shop.omnidesk", tmp_path / "shop.before-0028-20261201-000000.omnidesk.bak"
    shutil.copyfile(demo, path)
    shutil.copyfile(demo, backup)
    named_so = tmp_path / "shop.omnidesk.restoring"  # the user's own file, whatever its name
    named_so.write_bytes(b"mine")
    aside = restore_backup(path, backup)
    assert named_so.read_bytes() == b"mine"
    assert aside.exists() and customers_in(path) == customers_in(demo)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, backup.name, named_so.name, aside.name])


def test_a_file_whose_table_list_is_damaged_cannot_be_opened_and_says_so(demo, tmp_path):
    broken = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo, broken)
    with broken.open("r+b") as fh:  # page 1 after the 100-byte header: sqlite_master's root
        fh.seek(100)
        fh.write(b"\xff" * 400)
    with pytest.raises(DamagedWorkspaceError, match="shop.omnidesk is damaged"):
        Workspace.open(broken)


def test_recover_leaves_no_log_files_beside_the_file_it_reads(demo, tmp_path):
    """A read-only reader of a WAL file makes -wal/-shm it cannot remove; recover removes its own."""
    source = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo, source)
    assert source.read_bytes()[18:20] == b"\x02\x02"  # a WAL workspace, as the app writes them
    recover_workspace(source, tmp_path / "new.omnidesk")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.omnidesk", "shop.omnidesk"]


def test_a_recovered_workspace_gives_no_customer_id_the_damaged_one_gave_before(demo, tmp_path):
    from omnidesk.core.edits import add_customer
    from omnidesk.core.identity.merge import merge_customers

    sound = tmp_path / "sound.omnidesk"
    shutil.copyfile(demo, sound)
    with Workspace.open(sound) as ws:
        with ws.engine.connect() as conn:
            first, newest = conn.exec_driver_sql("SELECT min(id), max(id) FROM customer").one()
        merge_customers(ws, [first, newest])  # the highest id is gone before the damage
        with ws.engine.connect() as conn:
            held = {cid for (cid,) in conn.exec_driver_sql("SELECT id FROM customer")}
    broken = tmp_path / "shop.omnidesk"
    damage(sound, broken)
    new = tmp_path / "recovered.omnidesk"
    assert recover_workspace(broken, new)["method"] == "salvage"

    with Workspace.open(new) as ws:
        with ws.engine.connect() as conn:
            ids = {cid for (cid,) in conn.exec_driver_sql("SELECT id FROM customer")}
        # Records that lost their customer to the damage are placed again, on new ids.
        assert ids - held and all(cid > newest for cid in ids - held)
        assert add_customer(ws, {"first_name": "New", "email": "new@example.com"}).created > newest


def test_a_recovered_workspace_gives_no_review_number_the_damaged_one_gave_before(demo, tmp_path):
    from omnidesk.core.errors import UserError
    from omnidesk.core.identity.find import find_duplicates
    from omnidesk.core.identity.merge import list_reviews, reject_review
    from omnidesk.core.tasks import run_to_completion

    sound = tmp_path / "sound.omnidesk"
    shutil.copyfile(demo, sound)
    with Workspace.open(sound) as ws:
        for _ in range(3):  # each run from scratch queues its pairs again, under new numbers
            run_to_completion(find_duplicates(ws, from_scratch=True))
        newest = max(r.id for r in list_reviews(ws))
        reject_review(ws, newest)  # the highest number is decided before the damage
    broken = tmp_path / "shop.omnidesk"
    damage(sound, broken)
    new = tmp_path / "recovered.omnidesk"
    assert recover_workspace(broken, new)["method"] == "salvage"

    with Workspace.open(new) as ws:
        # Records the damage took their customer from are placed again, and may be asked about anew.
        assert newest not in {r.id for r in list_reviews(ws)}
        with pytest.raises(UserError, match="no longer in the review queue"):
            reject_review(ws, newest)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'match_review'").scalar() \
                >= newest


def test_recover_names_the_file_it_was_given_and_refuses_what_is_no_workspace(demo, tmp_path, capsys):
    """`recover notes.txt NEW` blamed the default workspace ("workspace.omnidesk is damaged…"),
    another program's database or an empty file "recovered" into an empty workspace (exit 0), and a
    newer workspace was named by the temporary file being written."""
    text = tmp_path / "notes.txt"
    text.write_text("milk, eggs")
    empty = tmp_path / "empty.csv"
    empty.touch()
    other = tmp_path / "other.omnidesk"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE songs (title TEXT)")
    newer = tmp_path / "newer.omnidesk"
    shutil.copyfile(demo, newer)
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    garbage = tmp_path / "garbage.omnidesk"
    garbage.write_bytes(b"SQLite format 3\x00" + bytes(random.Random(3).randrange(256) for _ in range(8192)))
    cases = {text: "is not a workspace (it is not a SQLite database)", empty: "is empty (0 bytes)",
             other: "SQLite database of another program, not an omnidesk workspace",
             newer: "saved by a newer version of omnidesk", garbage: "garbage.omnidesk"}
    for path, said in cases.items():
        before = path.read_bytes()
        new = tmp_path / f"from-{path.stem}.omnidesk"
        assert main(["-w", str(tmp_path / "w4.omnidesk"), "recover", str(path), str(new)]) == 1, path
        err = capsys.readouterr().err
        assert said in err and "w4.omnidesk" not in err and ".recovering" not in err, err
        assert path.read_bytes() == before and not new.exists()
        assert not list(tmp_path.glob("*.recovering*"))


@pytest.mark.parametrize("holding", ["reading", "writing", "open"])
def test_restoring_a_backup_refuses_while_another_connection_has_the_workspace_open(ws, tmp_path, holding):
    """An import running in another window or command while the app restored a backup ended up, all of
    it, in the file set aside: the workspace and its log were renamed away from under it."""
    from omnidesk.core.errors import UserError
    from omnidesk.core.recover import restore_backup

    path = ws.path
    backup = tmp_path / "shop.before-0028-20261201-000000.omnidesk.bak"
    ws.close()
    shutil.copyfile(path, backup)
    other = sqlite3.connect(path, isolation_level=None)  # the other window or command
    try:
        other.execute("PRAGMA journal_mode=WAL")
        if holding == "reading":
            other.execute("BEGIN")
            other.execute("SELECT count(*) FROM customer").fetchone()
        elif holding == "writing":
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE setting SET value = value")
        else:
            other.execute("SELECT count(*) FROM customer").fetchone()
        before = sorted(p.name for p in tmp_path.iterdir())
        with pytest.raises(UserError, match="open in another window or busy with a command"):
            restore_backup(path, backup)
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing renamed, nothing left behind
        if holding == "writing":
            other.execute("COMMIT")  # its work lands in the workspace it has open
        assert other.execute("SELECT count(*) FROM customer").fetchone() is not None
    finally:
        other.close()
    aside = restore_backup(path, backup)  # once nobody has it open, it goes ahead
    assert aside.exists() and path.exists()


def test_recover_says_in_one_plain_sentence_that_another_programs_database_is_no_workspace(tmp_path, capsys):
    foreign = tmp_path / "foreign.omnidesk"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE notes (x)")
        con.execute("INSERT INTO notes VALUES ('mine')")
    con.close()
    before = foreign.read_bytes()
    assert main(["recover", str(foreign), str(tmp_path / "new.omnidesk")]) == 1
    assert capsys.readouterr().err.strip() == (
        "omnidesk: error: foreign.omnidesk is a SQLite database of another program, not an omnidesk "
        "workspace: there is nothing to recover from it.")
    assert foreign.read_bytes() == before and not (tmp_path / "new.omnidesk").exists()


def _page_owners(path: Path) -> dict[int, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT pageno, name FROM dbstat"))
    except sqlite3.OperationalError:  # a SQLite built without dbstat
        return {}
    finally:
        con.close()


def test_recover_reads_what_a_workspace_cut_short_still_holds(demo, tmp_path, capsys):
    """A file cut short (a copy or a sync that stopped) was refused whole: "Nothing can be read …
    the list of its tables is damaged", as SQLite refuses a file shorter than its header says."""
    sound = tmp_path / "sound.omnidesk"
    with Workspace.open(demo, readonly=True) as ws:
        ws.save_copy(sound)  # one file, its log folded in
    con = sqlite3.connect(sound)
    page, pages = con.execute("PRAGMA page_size").fetchone()[0], con.execute("PRAGMA page_count").fetchone()[0]
    held = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("customer", "source_record", "consent", "event", "import_batch")}
    con.close()
    people = emails_of_customers(sound)
    owners = _page_owners(sound)
    if not owners:
        pytest.skip("this SQLite has no dbstat to tell which pages hold what")
    # The last pages hold only search-index data (rebuilt anyway): every row can come back.
    cut = 0
    while owners.get(pages - cut, "").startswith("customer_fts"):
        cut += 1
    assert cut >= 1, [owners.get(p) for p in range(pages - 5, pages + 1)]

    tail = tmp_path / "tail.omnidesk"
    shutil.copyfile(sound, tail)
    os.truncate(tail, (pages - cut) * page)
    before = tail.read_bytes()
    new = tmp_path / "from-tail.omnidesk"
    assert main(["recover", str(tail), str(new)]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"Recovered into {new} (row by row")
    assert tail.read_bytes() == before
    con = sqlite3.connect(new)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in held} == held
    con.close()
    assert emails_of_customers(new) == people

    half = tmp_path / "half.omnidesk"
    shutil.copyfile(sound, half)
    os.truncate(half, pages // 2 * page)
    new = tmp_path / "from-half.omnidesk"
    assert main(["recover", str(half), str(new)]) == 0, capsys.readouterr().err
    assert "unreadable stretch" in capsys.readouterr().out
    assert 0 < customers_in(new) and main(["info", "-w", str(new)]) == 0


def _recover_in_a_child(damaged: Path, new: Path, seconds: float) -> tuple[object, str, str]:
    """``omnidesk recover DAMAGED NEW`` in a forked child (nothing imported again), given ``seconds``:
    its exit status, output and error output ("Traceback …" for an exception that got out), or
    "still running" when it had not finished by then (the child is ended)."""
    import contextlib
    import io
    import multiprocessing
    import traceback

    def child(send) -> None:
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status: object = main(["recover", str(damaged), str(new)])
        except BaseException:  # told to the test, which fails on it
            status = "raised"
            err.write(traceback.format_exc())
        send.send((status, out.getvalue(), err.getvalue()))

    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    process = fork.Process(target=child, args=(send,))
    process.start()
    try:
        if not receive.poll(seconds):
            return "still running", "", ""
        return receive.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()


@pytest.mark.parametrize("fraction", [0.392, 0.408, 0.4246, 0.5717, 0.6534, 0.9638])
def test_recover_of_a_workspace_cut_anywhere_ends_with_a_workspace_or_one_line(demo, tmp_path, fraction, capsys):
    """A copy that stopped part way, at any byte: a damaged leaf page read past the file's end gives
    junk rows (rowid 0 after 91, cells of zeros, a row whose JSON is cut off).  Recovery went back
    to them from the junk rowid, round in circles for good, and left its half-made file behind; or
    it copied them in and stopped with a traceback while rebuilding customers from them."""
    data = demo.read_bytes()
    cut = tmp_path / "cut.omnidesk"
    cut.write_bytes(data[:int(len(data) * fraction)])
    new = tmp_path / "new.omnidesk"
    status, out, err = _recover_in_a_child(cut, new, seconds=90)
    assert status in (0, 1), (status, err[-2000:])
    if status == 0:
        assert out.startswith(f"Recovered into {new}"), out
        assert main(["info", "-w", str(new)]) == 0, capsys.readouterr().err  # reads every page
    else:
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cut.omnidesk"] + (["new.omnidesk"] * (status == 0)))
    assert cut.read_bytes() == data[:int(len(data) * fraction)]


def _root_page(path: Path, name: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    finally:
        con.close()


def _overwrite_pages(path: Path, pages: list[int]) -> None:
    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    rng = random.Random(1)
    with path.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * size)
            fh.write(rng.randbytes(size))


def _consents(path: Path) -> dict[int, tuple]:
    con = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in con.execute("SELECT id, consent_email, consent_sms FROM customer")}
    finally:
        con.close()


def test_recover_rebuilds_lost_consent_from_the_imported_rows_and_says_what_was_recorded_by_hand(
        demo, tmp_path, capsys):
    """The consent table's damage lost every fact (467 of 467 in a demo), and the summary said only
    "skipping 1 unreadable stretch": every customer's consent became unknown, and an email step
    with send_unknown_email on reached the people who had said no."""
    sound = tmp_path / "sound.omnidesk"
    with Workspace.open(demo, readonly=True) as ws:
        ws.save_copy(sound)
    con = sqlite3.connect(sound)
    # Three customers whose imports hold no email refusal refuse email by hand.
    by_hand = [r[0] for r in con.execute(
        "SELECT id FROM customer WHERE email IS NOT NULL AND coalesce(consent_email, '') = 'granted' "
        "ORDER BY id LIMIT 3")]
    erased = con.execute("SELECT max(id) FROM customer WHERE email IS NOT NULL").fetchone()[0]
    con.close()
    assert len(by_hand) == 3
    for cid in by_hand:
        assert main(["-w", str(sound), "consent", "set", str(cid), "email", "denied",
                     "--note", "asked by phone"]) == 0
    assert main(["-w", str(sound), "person", "erase", str(erased), "--yes"]) == 0
    capsys.readouterr()
    with Workspace.open(sound, readonly=True) as ws:
        ws.save_copy(tmp_path / "whole.omnidesk")
    sound = tmp_path / "whole.omnidesk"
    con = sqlite3.connect(sound)
    facts = con.execute("SELECT count(*) FROM consent").fetchone()[0]
    hashes = {r[0] for r in con.execute("SELECT hash FROM suppression")}
    con.close()
    original = _consents(sound)
    assert hashes and {original[c][0] for c in by_hand} == {"denied"}

    broken = tmp_path / "shop.omnidesk"
    shutil.copyfile(sound, broken)
    _overwrite_pages(broken, [_root_page(broken, "consent"), _root_page(broken, "suppression")])
    new = tmp_path / "recovered.omnidesk"
    assert main(["recover", str(broken), str(new)]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[1:] == [
        "What could not be read:",
        f"  Consent: {facts:,} of {facts:,} could not be read — rebuilt {facts - 3:,} from the imported rows; 3 recorded "
        f"by hand are lost (customers {', '.join(map(str, by_hand))}): record them again."], out

    # Every refusal the imported rows hold is back: each customer's consent is as before, but for
    # the three who refused by hand (lost, and said so), back to what their files say.
    recovered = _consents(new)
    assert {c: v for c, v in recovered.items() if c not in by_hand} == \
        {c: v for c, v in original.items() if c not in by_hand and c != erased}
    assert {recovered[c][0] for c in by_hand} == {"granted"}
    # The erased person's hashes are read back from the suppression's own index.
    con = sqlite3.connect(new)
    assert {r[0] for r in con.execute("SELECT hash FROM suppression")} == hashes
    con.close()
    assert main(["info", "-w", str(new)]) == 0


def test_recover_says_plainly_when_erased_people_are_no_longer_kept_out(demo, tmp_path, capsys):
    sound = tmp_path / "sound.omnidesk"
    with Workspace.open(demo, readonly=True) as ws:
        ws.save_copy(sound)
    con = sqlite3.connect(sound)
    erased = con.execute("SELECT max(id) FROM customer WHERE email IS NOT NULL").fetchone()[0]
    con.close()
    assert main(["-w", str(sound), "person", "erase", str(erased), "--yes"]) == 0
    capsys.readouterr()
    with Workspace.open(sound, readonly=True) as ws:
        ws.save_copy(tmp_path / "whole.omnidesk")
    broken = tmp_path / "whole.omnidesk"
    pages = {_root_page(broken, "suppression"), _root_page(broken, "sqlite_autoindex_suppression_1")}
    _overwrite_pages(broken, sorted(pages))
    new = tmp_path / "recovered.omnidesk"
    assert main(["recover", str(broken), str(new), "--json"]) == 0
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["losses"] == [
        "Erased people: some could not be read (0 could); erased people may no longer be "
        "kept out: a re-import would bring them back, so erase them again if they come back."]
    assert summary["lost"]["suppression"]["read"] == 0


TABLE_NAMES = ("source_record", "event", "identifier", "customer", "consent", "suppression", "import_batch")


def test_recover_says_what_was_lost_in_a_shop_owners_words_and_what_it_means(demo, tmp_path, capsys):
    """"source_record: 1,965 of 2,340 rows could be read" named the workspace's tables to a shop owner."""
    from omnidesk.core.recover import LOST_WORDS

    broken = tmp_path / "shop.omnidesk"
    damage(demo, broken)
    assert main(["recover", str(broken), str(tmp_path / "recovered.omnidesk")]) == 0
    out = capsys.readouterr().out
    said = out.split("What could not be read:\n", 1)[1].splitlines()
    assert said, out
    nouns = {noun for noun, _ in LOST_WORDS.values()}
    for line in said:
        assert line.startswith("  ") and line.strip().split(":")[0] in nouns, line
        words = re.sub(r": (undo .*, then )?import .* again to bring them back\.$", ".", line)  # files' own names aside
        assert not any(f"{name}:" in words or "_" in words for name in TABLE_NAMES), line
    imported = next(line.strip() for line in said if line.strip().startswith("Imported rows: "))
    assert re.fullmatch(r"Imported rows: [\d,]+ of [\d,]+ could not be read; customers are rebuilt from the rows "
                        r"that could, without what the others said: import [^:]+\.csv again to bring them back\.",
                        imported), imported
    # The machine's output keeps the tables' names as its keys; only the sentences are words.
    assert main(["recover", str(broken), str(tmp_path / "again.omnidesk"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert "source_record" in summary["lost"] and [line.strip() for line in said] == summary["losses"]


def test_every_table_a_recovery_may_report_has_words_for_a_shop_owner(tmp_path):
    from omnidesk.core.recover import DERIVED_TABLES, LOST_WORDS, _tables

    path = tmp_path / "new.omnidesk"
    Workspace.create(path).close()
    con = sqlite3.connect(path)
    try:
        tables = {t for t in _tables(con) if t not in DERIVED_TABLES}
    finally:
        con.close()
    assert tables - set(LOST_WORDS) == set()


def _last_leaf(path: Path, table: str) -> int | None:
    """The page holding ``table``'s highest rowids (its b-tree's last leaf), from dbstat."""
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path DESC LIMIT 1",
                          (table,)).fetchone()
        return row[0] if row else None
    except sqlite3.OperationalError:  # a SQLite built without dbstat
        return None
    finally:
        con.close()


def _cut_before_the_hand_record(demo: Path, tmp_path: Path, name: str, consents: list[tuple[int, str, list[str]]],
                                capsys) -> Path:
    """A copy of the demo with consent recorded by hand through the command line, then cut short
    (a copy or a sync that stopped) where the hand records were written: the consent table reads
    whole, the hand records each fact hangs on are lost."""
    path = tmp_path / name
    shutil.copyfile(demo, path)  # as it was built: rows added later go to the end of the file
    for cid, status, extra in consents:
        assert main(["-w", str(path), "consent", "set", str(cid), "email", status, *extra]) == 0
    capsys.readouterr()
    assert not Path(f"{path}-wal").exists()
    leaf, owners = _last_leaf(path, "source_record"), _page_owners(path)
    if leaf is None or not owners:
        pytest.skip("this SQLite has no dbstat to tell which pages hold what")
    assert max(p for p, t in owners.items() if t == "consent") < leaf, "the consent table must read whole"
    con = sqlite3.connect(path)
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    os.truncate(path, (leaf - 1) * size)
    return path


def _granted_email(path: Path, tmp_path: Path, capsys) -> set[int]:
    """Who an email pack would go to: the customers exported by a rule on email consent granted."""
    out = tmp_path / f"{path.stem}-granted.csv"
    rule = json.dumps({"all": [{"field": "consent.email", "op": "is", "value": "granted"}]})
    assert main(["-w", str(path), "export", "customers", str(out), "--rule", rule, "--columns", "id",
                 "--force"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return {int(line) for line in out.read_text(encoding="utf-8-sig").splitlines()[1:] if line.strip()}


def test_a_refusal_recorded_by_hand_is_kept_when_the_file_is_cut_short_before_its_hand_record(
        demo, tmp_path, capsys):
    """The consent table read whole, but the hand record the refusal hung on was in the lost tail:
    the refusal was dropped while mending, unsaid, and the customer was emailable again."""
    con = sqlite3.connect(demo)
    refusing, granting = [r[0] for r in con.execute(
        "SELECT id FROM customer WHERE email IS NOT NULL AND consent_email = 'granted' ORDER BY id LIMIT 2")]
    con.close()
    broken = _cut_before_the_hand_record(demo, tmp_path, "cut.omnidesk", [(refusing, "denied", [])], capsys)
    new = tmp_path / "recovered.omnidesk"
    assert main(["recover", str(broken), str(new)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert (f"  Consent: 1 refusal whose row could not be read is kept as recorded by hand (customer {refusing}): "
            f"that customer stays opted out.") in out.splitlines(), out

    assert _consents(new)[refusing][0] == "denied"
    assert refusing not in _granted_email(new, tmp_path, capsys)
    con = sqlite3.connect(new)
    assert con.execute("SELECT c.status FROM consent c JOIN source_record r ON r.id = c.record_id "
                       "WHERE c.customer_id = ? AND r.channel = 'manual'", (refusing,)).fetchall() == [("denied",)]
    con.close()
    assert main(["info", "-w", str(new)]) == 0
    capsys.readouterr()

    # A "yes" recorded by hand whose record is lost is dropped, and said so: record it again.
    broken = _cut_before_the_hand_record(
        demo, tmp_path, "cut-yes.omnidesk",
        [(granting, "denied", ["--note", "asked by phone"]), (granting, "granted", ["--note", "said yes again"])], capsys)
    new = tmp_path / "recovered-yes.omnidesk"
    assert main(["recover", str(broken), str(new), "--json"]) == 0, capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out)
    assert (f"Consent: 1 refusal whose row could not be read is kept as recorded by hand (customer {granting}): "
            f"that customer stays opted out; 1 recorded by hand is lost (customer {granting}): record it again."
            in summary["losses"]), summary["losses"]
    assert summary["lost"]["consent"]["refusals_kept"] == 1
    assert summary["lost"]["consent"]["recorded_by_hand_lost"] == 1
    assert _consents(new)[granting][0] == "denied"
    assert granting not in _granted_email(new, tmp_path, capsys)


def test_a_refusal_recorded_by_hand_is_kept_when_the_page_of_its_hand_record_is_damaged(demo, tmp_path, capsys):
    con = sqlite3.connect(demo)
    refusing = con.execute("SELECT id FROM customer WHERE email IS NOT NULL AND consent_email = 'granted' "
                           "ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    sound = tmp_path / "sound.omnidesk"
    shutil.copyfile(demo, sound)
    assert main(["-w", str(sound), "consent", "set", str(refusing), "email", "denied"]) == 0
    capsys.readouterr()
    broken = tmp_path / "whole.omnidesk"
    with Workspace.open(sound, readonly=True) as ws:
        ws.save_copy(broken)
    leaf = _last_leaf(broken, "source_record")  # the highest rowids: the hand record just written
    if leaf is None:
        pytest.skip("this SQLite has no dbstat to tell which pages hold what")
    _overwrite_pages(broken, [leaf])
    new = tmp_path / "recovered.omnidesk"
    assert main(["recover", str(broken), str(new), "--json"]) == 0, capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out)
    assert summary["lost"]["consent"]["refusals_kept_customers"] == [refusing], summary["losses"]
    assert _consents(new)[refusing][0] == "denied"
    assert refusing not in _granted_email(new, tmp_path, capsys)


SHOP_CUSTOMERS = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing", "Phone",
                  "Accepts SMS Marketing"]
SHOP_ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Total",
               "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Billing Name"]


def _shop_files(tmp_path: Path) -> tuple[Path, Path]:
    """A Shopify customers export (every fifth person said no to email) and its orders export."""
    from tests.helpers import write_csv

    people = [[f"'{5000 + n}", f"First{n}", f"Last{n}", f"person{n}@example.com",
               "no" if n % 5 == 0 else "yes", f"+1415555{n:04d}", "no"] for n in range(400)]
    orders = []
    for n in range(400):
        at = f"2026-03-{1 + n % 28:02d} 10:00:00 -0400"
        total = f"{10 + n % 37}.50"
        orders.append([f"#{1000 + n}", f"person{n % 300}@example.com", "paid", at, "fulfilled", "USD", total, total,
                       at, "1", f"Item {n % 7}", total, f"First{n % 300} Last{n % 300}"])
    return (write_csv(tmp_path / "customers_export.csv", SHOP_CUSTOMERS, people),
            write_csv(tmp_path / "orders_export.csv", SHOP_ORDERS, orders))


def _people(path: Path) -> dict[str, tuple]:
    con = sqlite3.connect(path)
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT email, display_name, consent_email, consent_sms, orders, spend_minor FROM customer")}
    finally:
        con.close()


def _leaves(path: Path, table: str) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' "
                                          "ORDER BY path", (table,))]
    except sqlite3.OperationalError:  # a SQLite built without dbstat
        return []
    finally:
        con.close()


def _imported_whole(tmp_path: Path, capsys, *imports: tuple[Path, list[str]]) -> Path:
    """Each (file, how to import it) imported through the command line into a new workspace, saved as
    one file (its log folded in), ``shop.omnidesk``, to be damaged: its path."""
    from tests.helpers import run_cli

    sound = tmp_path / "sound.omnidesk"
    for path, how in imports:
        status, _out, err = run_cli(capsys, "import", path, *how, "-w", sound)
        assert status == 0, err
    broken = tmp_path / "shop.omnidesk"
    with Workspace.open(sound, readonly=True) as ws:
        ws.save_copy(broken)
    return broken


def _leaves_or_skip(path: Path, table: str) -> list[int]:
    """The leaf pages of ``table``, in order; the test is skipped where SQLite cannot tell them."""
    leaves = _leaves(path, table)
    if len(leaves) < 8:
        pytest.skip("this SQLite has no dbstat to tell which pages hold what")
    return leaves


def _recovered(capsys, broken: Path, new: Path, start: str) -> tuple[str, str]:
    """``omnidesk recover BROKEN NEW``, which must succeed: what it said, and its line starting ``start``."""
    from tests.helpers import run_cli

    status, out, err = run_cli(capsys, "recover", broken, new)
    assert status == 0, err
    return out, next(line.strip() for line in out.splitlines() if line.strip().startswith(start))


def test_importing_the_files_again_brings_back_the_imported_rows_a_recovery_could_not_read(tmp_path, capsys):
    """The imports whose rows were lost were still read back with their files' fingerprints, so
    importing those files again, as the recovery said to, was "already imported" and added nothing:
    the lost people, their orders and their refusals stayed lost."""
    from tests.helpers import run_cli

    customers, orders = _shop_files(tmp_path)
    broken = _imported_whole(tmp_path, capsys, (customers, ["--channel", "shop"]), (orders, ["--channel", "shop"]))
    before = _people(broken)
    assert len(before) == 400 and sum(v[3] for v in before.values()) == 400
    leaves = _leaves_or_skip(broken, "source_record")
    # A page of the customers' rows, one of the orders' rows, and the consent table whole.
    _overwrite_pages(broken, [leaves[len(leaves) // 5], leaves[4 * len(leaves) // 5], _root_page(broken, "consent")])

    new = tmp_path / "recovered.omnidesk"
    out, said = _recovered(capsys, broken, new, "Imported rows: ")
    assert re.fullmatch(r"Imported rows: [\d,]+ of [\d,]+ could not be read; customers are rebuilt from the rows "
                        r"that could, without what the others said: import customers_export\.csv and "
                        r"orders_export\.csv again to bring them back\.", said), said
    assert re.search(r"; [\d,]+ went with records or imports that could not be read \(import those files "
                     r"again\)\.$", next(line for line in out.splitlines() if "  Consent: " in line)), out
    lost = _people(new)
    assert lost != before
    assert any(before[e][1] == "denied" and lost.get(e, (None, None))[1] != "denied" for e in before), \
        "a refusal among the lost rows"

    for path in (customers, orders):
        status, out, err = run_cli(capsys, "import", path, "--channel", "shop", "-w", new)
        assert status == 0, err
    # Everyone is back as before, once: their refusals, their orders and spend (none counted twice).
    assert _people(new) == before

    # The files imported again hold their rows now: a third time adds nothing.
    con = sqlite3.connect(new)
    held = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("source_record", "event", "consent")]
    con.close()
    for path in (customers, orders):
        status, out, err = run_cli(capsys, "import", path, "--channel", "shop", "-w", new, "--json")
        assert status == 0, err
        done = json.loads(out)
        assert (done["imported"], done["duplicates"]) == (0, done["rows"]), out
    con = sqlite3.connect(new)
    assert [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("source_record", "event", "consent")] \
        == held
    con.close()
    assert _people(new) == before


def _activity(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT b.file_name, count(*) FROM event e JOIN import_batch b ON b.id = e.batch_id "
                                "GROUP BY b.file_name"))
    finally:
        con.close()


def test_undoing_an_import_and_importing_its_file_again_brings_back_the_orders_a_recovery_could_not_read(
        tmp_path, capsys):
    """Orders lost while the rows they came from were read: importing the file again is "already
    imported" (an orders export's too) and adds nothing, so the recovery names the imports to undo
    and the files to import again after."""
    from tests.helpers import run_cli, write_csv

    customers, orders = _shop_files(tmp_path)
    till = write_csv(tmp_path / "till.csv", ["Email", "Total", "Date"], [
        [f"person{n % 300}@example.com", f"{5 + n % 20}.00", f"2026-02-{1 + n % 28:02d} 10:00"] for n in range(400)])
    broken = _imported_whole(tmp_path, capsys, (customers, ["--channel", "shop"]), (orders, ["--channel", "shop"]),
                             (till, ["--channel", "pos", "--kind", "events"]))
    before, activity = _people(broken), _activity(broken)
    assert activity == {"orders_export.csv": 400, "till.csv": 400}
    leaves = _leaves_or_skip(broken, "event")
    _overwrite_pages(broken, [leaves[len(leaves) // 5], leaves[4 * len(leaves) // 5]])  # one page of each file's

    new = tmp_path / "recovered.omnidesk"
    out, said = _recovered(capsys, broken, new, "Orders and other activity: ")
    assert re.fullmatch(r"Orders and other activity: [\d,]+ of 800 could not be read; customers' orders and spend, "
                        r"and the Dashboard, leave them out: undo the imports of orders_export\.csv \(import 2\) and "
                        r"till\.csv \(import 3\), then import those files again to bring them back\.", said), said
    assert not any(line.strip().startswith("Imported rows") for line in out.splitlines()), out
    assert _activity(new) != activity and _people(new) != before

    # Imported again as they are, the files would add nothing: the imports still hold them.
    for path, how in ((orders, ["--channel", "shop"]), (till, ["--channel", "pos", "--kind", "events"])):
        status, out, err = run_cli(capsys, "import", path, *how, "-w", new, "--dry-run", "--json")
        assert status == 0 and json.loads(out)["imported"] == 0, (out, err)
    # As the recovery said: undone, then imported again, every order and sale is back, once.
    for batch, path, how in ((2, orders, ["--channel", "shop"]), (3, till, ["--channel", "pos", "--kind", "events"])):
        status, _out, err = run_cli(capsys, "imports", "undo", batch, "-w", new)
        assert status == 0, err
        status, _out, err = run_cli(capsys, "import", path, *how, "-w", new)
        assert status == 0, err
    assert _activity(new) == activity and _people(new) == before

    # The machine's output names the same imports.
    status, out, err = run_cli(capsys, "recover", broken, tmp_path / "again.omnidesk", "--json")
    assert status == 0, err
    assert json.loads(out)["lost"]["event"]["undo_and_import_again"] == [
        {"import": 2, "file": "orders_export.csv"}, {"import": 3, "file": "till.csv"}]


def test_recover_keeps_details_nested_deeper_than_python_reads_and_drops_them_cut_off(demo, tmp_path):
    """An order's details nested deeper than Python's JSON reader goes (SQLite reads them whole)
    raised a RecursionError out of the recovery's check of each row: nothing was recovered.  Whole,
    they are kept (every reader takes them for no details); cut off, the row is not sound."""
    deep = '{"order_id": "#1", "x": ' + "[" * 1500 + "]" * 1500 + "}"
    sound = tmp_path / "sound.omnidesk"
    shutil.copyfile(demo, sound)
    con = sqlite3.connect(sound)
    with con:
        whole, cut = (r[0] for r in con.execute("SELECT id FROM event ORDER BY id LIMIT 2"))
        con.execute("UPDATE event SET details_json = ? WHERE id = ?", (deep, whole))
        # Cut off, as a damaged page gives it: SQLite keeps what it is given once no index reads it.
        con.execute("DROP INDEX ix_event_order_number")
        con.execute("UPDATE event SET details_json = ? WHERE id = ?", (deep[:-10], cut))
    con.close()
    broken = tmp_path / "shop.omnidesk"
    damage(sound, broken)
    new = tmp_path / "recovered.omnidesk"
    assert recover_workspace(broken, new)["method"] == "salvage"
    con = sqlite3.connect(new)
    try:
        kept = dict(con.execute("SELECT id, details_json FROM event WHERE id IN (?, ?)", (whole, cut)).fetchall())
    finally:
        con.close()
    assert kept.get(whole) == deep
    assert kept.get(cut) != deep[:-10]


def test_recover_leaves_out_a_record_whose_values_are_nested_deeper_than_python_reads(demo, tmp_path, capsys):
    """Only an order's details nested too deep for Python are read as none (core/details.py):
    a record's values so deep, though SQLite reads them whole, would stop the rebuild of the
    recovered workspace with a RecursionError.  The row is not sound and is left out, and the
    recovered workspace reads."""
    from tests.helpers import run_cli

    deep = '{"x": ' + "[" * 1500 + "]" * 1500 + "}"
    sound = tmp_path / "sound.omnidesk"
    shutil.copyfile(demo, sound)
    con = sqlite3.connect(sound)
    with con:
        (rid,) = con.execute("SELECT id FROM source_record WHERE customer_id IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        con.execute("UPDATE source_record SET values_json = ? WHERE id = ?", (deep, rid))
    con.close()
    broken = tmp_path / "shop.omnidesk"
    damage(sound, broken)
    new = tmp_path / "recovered.omnidesk"
    assert recover_workspace(broken, new)["method"] == "salvage"
    con = sqlite3.connect(new)
    try:
        assert con.execute("SELECT count(*) FROM source_record WHERE values_json = ?", (deep,)).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM source_record").fetchone()[0] > 0
    finally:
        con.close()
    status, _out, err = run_cli(capsys, "export", "sources", tmp_path / "sources.csv", "-w", new)
    assert status == 0, err
