"""The lab's IMAP serves a real poller (issue 26): imaplib, IMAPClient and imap_tools log in
with XOAUTH2, then SEARCH, FETCH (BODY[], BODY.PEEK[], RFC822, FLAGS, ENVELOPE), STORE,
EXPUNGE, IDLE and the UID forms work on a seeded mailbox and on mail the SMTP side took."""

from __future__ import annotations

import imaplib
import os
import shutil
import smtplib
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from authsweep.lab import ExchangeSim, xoauth2_string
from imap_tools import AND, MailBox, MailMessageFlags
from imapclient import IMAPClient

USER = "reports@contoso.com"
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"
SEED = (
    b"From: Billing <billing@contoso.com>\r\n"
    b"To: reports@contoso.com\r\n"
    b"Subject: Invoice 7\r\n"
    b"Date: Tue, 01 Dec 2026 09:00:00 +0000\r\n"
    b"Message-ID: <invoice-7@contoso.com>\r\n"
    b"\r\n"
    b"Paid in full.\r\n"
)


def _message(subject: str, body: str = "Body.") -> bytes:
    return (f"From: ops@contoso.com\r\nTo: {USER}\r\nSubject: {subject}\r\n\r\n{body}\r\n").encode()


@pytest.fixture(scope="module")
def _running_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeSim]:
    seed = tmp_path_factory.mktemp("seed")
    (seed / "invoice.eml").write_bytes(SEED.replace(b"\r\n", b"\n"))  # as files often are
    with ExchangeSim(seed=[seed]) as lab:
        yield lab


@pytest.fixture
def lab(_running_lab: ExchangeSim) -> Iterator[ExchangeSim]:
    _running_lab.reset()  # empties the mailboxes and puts the seed back
    with _running_lab.redirect():
        yield _running_lab


def _imaplib(lab: ExchangeSim) -> imaplib.IMAP4_SSL:
    imap = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ssl.create_default_context())
    token = lab.issue_token()
    imap.authenticate("XOAUTH2", lambda _: xoauth2_string(USER, token).encode())
    return imap


def _deliver_by_smtp(lab: ExchangeSim, subject: str) -> None:
    token = lab.issue_token()
    with smtplib.SMTP("smtp.office365.com", 587, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
        smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))
        smtp.sendmail(USER, [USER], _message(subject))


def test_imaplib_reads_the_seed_and_what_smtp_delivered(lab: ExchangeSim) -> None:
    _deliver_by_smtp(lab, "Delivered 1")
    imap = _imaplib(lab)
    try:
        typ, data = imap.select("INBOX")
        assert (typ, data) == ("OK", [b"2"])
        assert imap.untagged_responses.get("UNSEEN") == [b"1"]
        assert imap.search(None, "ALL") == ("OK", [b"1 2"])
        assert imap.search(None, "UNSEEN") == ("OK", [b"1 2"])
        assert imap.search(None, '(FROM "billing" SUBJECT "invoice")') == ("OK", [b"1"])
        assert imap.search(None, "SINCE", "1-Jan-2020", "NOT", "SUBJECT", "Invoice")[1] == [b"2"]
        assert imap.search(None, "SENTON", "1-Dec-2026") == ("OK", [b"1"])
        # BODY.PEEK[] leaves \Seen alone; BODY[] sets it, and says so.
        typ, data = imap.fetch("1", "(BODY.PEEK[] FLAGS)")
        assert typ == "OK" and data[0][1] == SEED  # CRLF on the wire, however it was stored
        assert imap.search(None, "SEEN") == ("OK", [b""])
        typ, data = imap.fetch("1", "(BODY[])")
        assert data[0][1] == SEED and b"\\Seen" in data[1]
        assert imap.search(None, "SEEN") == ("OK", [b"1"])
        typ, data = imap.fetch("2", "(RFC822 RFC822.SIZE)")
        assert data[0][1] == _message("Delivered 1")
        assert b"RFC822.SIZE %d" % len(_message("Delivered 1")) in data[0][0] + data[1]
        typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] INTERNALDATE)")
        assert data[0][1] == b"From: Billing <billing@contoso.com>\r\nSubject: Invoice 7\r\n\r\n"
        typ, data = imap.fetch("1", "(ENVELOPE)")
        assert b'"Invoice 7"' in data[0] and b'("Billing" NIL "billing" "contoso.com")' in data[0]
        typ, data = imap.fetch("1:*", "(FLAGS)")
        assert [b"\\Seen" in line for line in data] == [True, True]
        # STORE, then EXPUNGE removes what is \Deleted.
        typ, data = imap.store("1", "+FLAGS", r"(\Deleted \Flagged)")
        assert typ == "OK" and b"\\Deleted" in data[0] and b"\\Flagged" in data[0]
        assert imap.store("2", "-FLAGS.SILENT", r"\Seen") == ("OK", [None])
        assert imap.search(None, "UNSEEN") == ("OK", [b"2"])
        assert imap.expunge() == ("OK", [b"1"])
        assert imap.search(None, "ALL") == ("OK", [b"1"])
        assert imap.close()[0] == "OK"
    finally:
        assert imap.logout()[0] == "BYE"
    assert [m.content for m in lab._context.mailboxes.messages(USER)] == [_message("Delivered 1")]
    commands = [(r.command, r.messages) for r in lab.mailbox_reads]
    assert ("SELECT", 2) in commands and ("FETCH", 1) in commands and ("EXPUNGE", 1) in commands


def test_imaplib_uid_commands_and_examine(lab: ExchangeSim) -> None:
    lab.add_mailbox_message(USER, _message("Second"))
    imap = _imaplib(lab)
    try:
        imap.select("INBOX")
        typ, data = imap.uid("SEARCH", "ALL")
        first, second = (int(u) for u in data[0].split())
        assert second > first
        typ, data = imap.uid("FETCH", str(second), "(BODY.PEEK[TEXT])")
        assert typ == "OK" and b"UID %d" % second in data[0][0] and data[0][1] == b"Body.\r\n"
        typ, data = imap.uid("STORE", f"{first}:{second}", "+FLAGS", r"(\Seen)")
        assert typ == "OK" and all(b"UID" in line for line in data)
        assert imap.uid("SEARCH", "UID", f"{second}:*", "SEEN") == ("OK", [str(second).encode()])
        imap.uid("STORE", str(second), "+FLAGS", r"(\Deleted)")
        imap.uid("STORE", str(first), "+FLAGS", r"(\Deleted)")
        assert imap.uid("EXPUNGE", str(second))[0] == "OK"  # UIDPLUS: that one only
        assert imap.uid("SEARCH", "DELETED") == ("OK", [str(first).encode()])
        imap.unselect()
        assert imap.select("INBOX", readonly=True) == ("OK", [b"1"])
        assert imap.store("1", "+FLAGS", r"(\Seen)")[0] == "NO"
        assert imap.fetch("1", "(BODY[])")[0] == "OK"  # read-only: no \Seen change
        assert imap.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[0] == "OK"
        with pytest.raises(imaplib.IMAP4.error, match="BAD.*search key FUZZY"):
            imap.search(None, "FUZZY", "x")
    finally:
        imap.logout()


@pytest.mark.slow
def test_idle_reports_new_mail_as_it_arrives(lab: ExchangeSim) -> None:
    imap = _imaplib(lab)
    try:
        imap.select("INBOX")
        tag = imap._command("IDLE")
        assert imap._get_response() is None and imap.continuation_response
        threading.Timer(0.3, _deliver_by_smtp, args=(lab, "While idle")).start()
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline and b"EXISTS" not in b"".join(lines):
            lines.append(imap._get_line())
        assert b"2 EXISTS" in b"".join(lines)
        imap.send(b"DONE\r\n")
        assert imap._command_complete("IDLE", tag)[0] == "OK"
        assert imap.search(None, "SUBJECT", "idle") == ("OK", [b"2"])
        # Another session's EXPUNGE reaches this one at its next NOOP.
        other = _imaplib(lab)
        other.select("INBOX")
        other.store("1", "+FLAGS", r"(\Deleted)")
        other.expunge()
        other.logout()
        assert imap.noop()[0] == "OK"
        assert imap.untagged_responses.get("EXPUNGE") == [b"1"]
        assert imap.search(None, "ALL") == ("OK", [b"1"])
    finally:
        imap.logout()


@pytest.mark.slow
def test_imapclient_polls_the_mailbox(lab: ExchangeSim) -> None:
    _deliver_by_smtp(lab, "Order 12")
    client = IMAPClient("outlook.office365.com", ssl=True, ssl_context=ssl.create_default_context())
    try:
        client.oauth2_login(USER, lab.issue_token())
        assert client.select_folder("INBOX")[b"EXISTS"] == 2
        unseen = client.search(["UNSEEN"])
        assert len(unseen) == 2
        fetched = client.fetch(unseen, ["RFC822", "FLAGS", "ENVELOPE", "INTERNALDATE"])
        subjects = sorted(data[b"ENVELOPE"].subject for data in fetched.values())
        assert subjects == [b"Invoice 7", b"Order 12"]
        assert all(b"\\Seen" in data[b"FLAGS"] for data in fetched.values())
        assert client.search(["UNSEEN"]) == []
        client.add_flags(unseen[:1], [b"\\Flagged"])
        assert client.search(["FLAGGED"]) == unseen[:1]
        client.delete_messages(unseen[:1])
        client.expunge()
        assert client.search(["ALL"]) == unseen[1:]
        client.idle()
        threading.Timer(0.3, _deliver_by_smtp, args=(lab, "Order 13")).start()
        responses = client.idle_check(timeout=10)
        client.idle_done()
        assert (2, b"EXISTS") in responses
    finally:
        client.logout()


@pytest.mark.slow
def test_imap_tools_fetches_flags_and_deletes(lab: ExchangeSim) -> None:
    lab.add_mailbox_message(USER, _message("Ticket 3", "Printer on fire."))
    with MailBox("outlook.office365.com", ssl_context=ssl.create_default_context()).xoauth2(
        USER, lab.issue_token()
    ) as mailbox:
        assert [m.subject for m in mailbox.fetch(AND(seen=False), mark_seen=False)] == [
            "Invoice 7",
            "Ticket 3",
        ]
        [ticket] = mailbox.fetch(AND(subject="Ticket"))
        assert ticket.text.strip() == "Printer on fire." and ticket.from_ == "ops@contoso.com"
        assert [m.subject for m in mailbox.fetch(AND(seen=False))] == ["Invoice 7"]
        mailbox.flag(ticket.uid, MailMessageFlags.FLAGGED, True)
        assert [m.uid for m in mailbox.fetch(AND(flagged=True))] == [ticket.uid]
        mailbox.delete(ticket.uid)
        assert [m.subject for m in mailbox.fetch()] == ["Invoice 7"]
        threading.Timer(0.3, _deliver_by_smtp, args=(lab, "Ticket 4")).start()
        responses = mailbox.idle.wait(timeout=10)
        assert any(b"EXISTS" in r for r in responses)


def test_a_seed_without_recipients_stops_the_lab(tmp_path: Path) -> None:
    (tmp_path / "nobody.eml").write_bytes(b"Subject: lost\r\n\r\nx\r\n")
    with pytest.raises(ValueError, match="no To or Cc"):
        ExchangeSim(seed=[tmp_path]).start()


@pytest.mark.slow
def test_a_migrated_poller_reads_a_seeded_mailbox_under_lab_run(tmp_path: Path) -> None:
    """fixtures/e2e/imap_poller.py fails as Microsoft fails it, then, after `fix
    --unsafe-fixes`, polls the mailbox `lab run --seed` filled."""
    poller = tmp_path / "poller.py"
    shutil.copy(SAMPLES / "imap_poller.py", poller)
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "a.eml").write_bytes(_message("Order 1 done"))
    (seed / "b.eml").write_bytes(_message("Order 2"))
    env = {**os.environ, "MAIL_USER": USER, "MAIL_PASSWORD": "Winter2024!"}

    def lab_run() -> subprocess.CompletedProcess[str]:
        command = ["lab", "run", "--seed", str(seed), "--", sys.executable, str(poller)]
        return subprocess.run(
            [sys.executable, "-m", "authsweep", *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    before = lab_run()
    assert before.returncode == 1 and "NO LOGIN failed." in before.stdout
    fixed = subprocess.run(
        [sys.executable, "-m", "authsweep", "fix", "--unsafe-fixes", "poller.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = lab_run()
    assert after.returncode == 0, after.stdout + after.stderr
    assert "order: Order 1 done" in after.stdout and "order: Order 2" in after.stdout
    assert "UID FETCH" in after.stdout and "EXPUNGE" in after.stdout
