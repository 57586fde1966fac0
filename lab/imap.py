"""IMAP4rev1 on implicit TLS, as ``outlook.office365.com:993`` answers it.

``LOGIN`` (and ``AUTHENTICATE PLAIN``) get ``NO LOGIN failed.`` / ``NO AUTHENTICATE failed.``;
``AUTHENTICATE XOAUTH2`` succeeds only with a token the lab issued for Exchange Online. Then
the mailbox's INBOX (what the lab's SMTP server accepted for that address, and the seed) is
served to a real poller: SELECT/EXAMINE, SEARCH, FETCH, STORE, EXPUNGE, CLOSE/UNSELECT, IDLE,
their UID forms (UID SEARCH/FETCH/STORE/EXPUNGE), NOOP/CHECK (which report new and vanished
messages), LIST and STATUS, LOGOUT. Flags and deletions are the mailbox's, seen by every
session and by POP3.
"""

from __future__ import annotations

import base64
import binascii
import threading

from .context import ServerContext
from .hosts import Endpoint
from .imap_fetch import WHOLE, Item, parse_items, render
from .imap_message import MessageView
from .imap_search import search_test
from .imap_syntax import CommandSyntaxError, SequenceSet, Token, read_command, text, tokenize
from .listeners import HANDSHAKE_TIMEOUT, Client, readline
from .mailboxes import FLAGS
from .records import AuthAttempt, Connection, Failure, MailboxRead
from .tokens import xoauth2_cause

CAPABILITY = (
    "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE "
    "NAMESPACE LITERAL+"
)
UIDVALIDITY = 14  # one per lab: UIDs are never reused while it runs
_GREETING_ID = base64.b64encode("SIM0PR01CA0001.outlook.office365.com".encode("utf-16-le"))


def greeting_tag() -> str:
    """Exchange puts its front end's name, UTF-16LE then base64, in brackets in greetings."""
    return _GREETING_ID.decode()


class ImapSession:
    """One IMAP client connection (runs in its own thread)."""

    idle_timeout = 1800.0  # RFC 3501: an autologout timer of at least 30 minutes

    def __init__(self, context: ServerContext, endpoint: Endpoint, client: Client) -> None:
        self.lab = context
        self.endpoint = endpoint
        self.client = client
        self.record: Connection = context.recorder.open_connection(endpoint)
        self.user: str | None = None
        self.failed = False
        self.selected: str | None = None  # the mailbox selected (INBOX), if any
        self.read_only = False  # EXAMINE: nothing changes, no \Seen set by FETCH
        self.view: list[int] = []  # the UIDs the client knows, in message-number order
        self.write_lock = threading.Lock()  # IDLE's watcher writes too

    def run(self) -> None:
        ended = "client closed"
        try:
            self.client.sock.settimeout(HANDSHAKE_TIMEOUT)
            try:
                tls = self.client.start_tls(self.lab.mail_tls)
            except OSError as error:  # ssl.SSLError included
                self.lab.tls_failed(self.record, "implicit", error)
                return
            self.lab.tls_established(self.record, "implicit", tls)
            tls.settimeout(self.idle_timeout)
            self.rfile = tls.makefile("rb")
            self.wfile = tls.makefile("wb")
            if self._serve():
                ended = "quit"
        except TimeoutError:
            ended = "idle timeout"
        finally:
            self.lab.recorder.close_connection(self.record, ended)

    def _auth(
        self, mechanism: str, outcome: str, reply: str, user: str | None = None, **extra: object
    ) -> None:
        self.lab.recorder.add(
            AuthAttempt("imap", mechanism, outcome, reply, user, connection=self.record.id, **extra)  # type: ignore[arg-type]
        )

    def _fail(self, cause: str, reply: str, detail: str = "") -> None:
        self.failed = True
        self.lab.recorder.add(Failure(cause, reply, "imap", self.record.id, detail))

    def _send(self, line: str | bytes) -> None:
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        with self.write_lock:
            self.wfile.write(data + b"\r\n")
            self.wfile.flush()

    def _serve(self) -> bool:
        """The command loop; True when the client logged out."""
        self._send(f"* OK The Microsoft Exchange IMAP4 service is ready. [{greeting_tag()}]")
        while True:
            line = read_command(self.rfile, self._send)
            if line is None:
                return False
            first, _, rest = line.partition(b" ")
            tag = first.decode("utf-8", "replace").strip()
            name, _, arguments = rest.partition(b" ")
            command = name.decode("utf-8", "replace").strip().upper()
            if not tag or not command:
                self._send(f"{tag or '*'} BAD Command Error. 10")
                continue
            if command == "AUTHENTICATE":  # its continuation lines are its own
                if self.user is not None:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                else:
                    self.user = self._authenticate(tag, arguments.decode("utf-8", "replace"))
                continue
            try:
                if self._command(tag, command, tokenize(arguments)):
                    return True
            except (CommandSyntaxError, ValueError) as error:
                self._send(f"{tag} BAD Command Argument Error. 11 ({error})")

    def _command(self, tag: str, command: str, arguments: list[Token]) -> bool:
        """Run one command; True for LOGOUT."""
        if command == "CAPABILITY":
            self._send(f"* CAPABILITY {CAPABILITY}")
            self._send(f"{tag} OK CAPABILITY completed.")
        elif command in ("NOOP", "CHECK"):
            if self.selected is not None:
                self._sync()
            self._send(f"{tag} OK {command} completed.")
        elif command == "LOGOUT":
            self._send("* BYE Microsoft Exchange Server IMAP4 server signing off.")
            self._send(f"{tag} OK LOGOUT completed.")
            return True
        elif command == "LOGIN":
            login = text(arguments[0]) if arguments else None
            self._auth("LOGIN", "basic-auth-disabled", "NO LOGIN failed.", login)
            self._fail("imap-login-refused", "NO LOGIN failed.", f"LOGIN as {login}")
            self._send(f"{tag} NO LOGIN failed.")
        elif self.user is None:
            self._send(f"{tag} BAD Command received in Invalid state.")
        elif command in ("SELECT", "EXAMINE"):
            self._select(tag, command, arguments)
        elif command == "LIST" or command == "LSUB":
            if len(arguments) == 2 and text(arguments[1]) in ("*", "%", "INBOX", "Inbox"):
                self._send(f'* {command} (\\HasNoChildren) "/" INBOX')
            self._send(f"{tag} OK {command} completed.")
        elif command == "STATUS":
            self._status(tag, arguments)
        elif command in ("NAMESPACE", "ID", "ENABLE"):
            untagged = {"NAMESPACE": '* NAMESPACE (("" "/")) NIL NIL', "ID": "* ID NIL"}
            if command in untagged:
                self._send(untagged[command])
            self._send(f"{tag} OK {command} completed.")
        elif self.selected is None:
            self._send(f"{tag} BAD Command received in Invalid state.")
        elif command == "UID" and arguments:
            self._mailbox_command(tag, text(arguments[0]).upper(), arguments[1:], by_uid=True)
        else:
            self._mailbox_command(tag, command, arguments, by_uid=False)
        return False

    def _mailbox_command(
        self, tag: str, command: str, arguments: list[Token], *, by_uid: bool
    ) -> None:
        name = f"UID {command}" if by_uid else command
        if command == "SEARCH":
            self._search(tag, name, arguments, by_uid)
        elif command == "FETCH" and len(arguments) >= 2:
            self._fetch(tag, name, text(arguments[0]), arguments[1:], by_uid)
        elif command == "STORE" and len(arguments) >= 2:
            self._store(tag, name, text(arguments[0]), arguments[1:], by_uid)
        elif command == "EXPUNGE":
            if self.read_only:
                self._send(f"{tag} NO EXPUNGE failed: the mailbox was opened with EXAMINE.")
                return
            numbers = None
            if by_uid:
                wanted = self._numbers(text(arguments[0]), by_uid=True) if arguments else []
                numbers = {view.uid for view in wanted}
            self._expunge(numbers, report=True)
            self._send(f"{tag} OK {name} completed.")
        elif command in ("CLOSE", "UNSELECT") and not by_uid:
            if command == "CLOSE" and not self.read_only:
                self._expunge(None, report=False)
            self.selected = None
            self._send(f"{tag} OK {command} completed.")
        elif command == "IDLE" and not by_uid:
            self._idle(tag)
        else:
            self._send(f"{tag} BAD Command Error. 12")

    # --------------------------------------------------------------- the mailbox

    def _select(self, tag: str, command: str, arguments: list[Token]) -> None:
        assert self.user is not None
        folder = text(arguments[0]) if arguments else ""
        if folder.upper() != "INBOX":
            self.selected = None
            self._send(f"{tag} NO Mailbox doesn't exist: {folder}")
            return
        self.selected = "INBOX"
        self.read_only = command == "EXAMINE"
        stored = self.lab.mailboxes.messages(self.user)
        self.view = [m.number for m in stored]
        count = len(stored)
        self.lab.recorder.add(MailboxRead("imap", self.user, command, count, self.record.id))
        flags = " ".join(FLAGS)
        untagged = [
            f"* {count} EXISTS",
            "* 0 RECENT",
            f"* FLAGS ({flags})",
            f"* OK [PERMANENTFLAGS ({flags})] Permanent flags",
        ]
        unseen = [
            i for i, m in enumerate(stored, 1) if r"\Seen" not in self.lab.mailboxes.flags(m.number)
        ]
        if unseen:
            untagged.append(f"* OK [UNSEEN {unseen[0]}] Is the first unseen message")
        untagged += [
            f"* OK [UIDVALIDITY {UIDVALIDITY}] UIDVALIDITY value",
            f"* OK [UIDNEXT {max(self.view, default=0) + 1}] The next unique identifier value",
        ]
        for line in untagged:
            self._send(line)
        mode = "READ-ONLY" if self.read_only else "READ-WRITE"
        self._send(f"{tag} OK [{mode}] {command} completed.")

    def _status(self, tag: str, arguments: list[Token]) -> None:
        assert self.user is not None
        if len(arguments) != 2 or text(arguments[0]).upper() != "INBOX":
            self._send(f"{tag} NO Mailbox doesn't exist.")
            return
        stored = self.lab.mailboxes.messages(self.user)
        unseen = sum(r"\Seen" not in self.lab.mailboxes.flags(m.number) for m in stored)
        values = {
            "MESSAGES": len(stored),
            "RECENT": 0,
            "UIDNEXT": max((m.number for m in stored), default=0) + 1,
            "UIDVALIDITY": UIDVALIDITY,
            "UNSEEN": unseen,
        }
        asked = arguments[1] if isinstance(arguments[1], list) else [arguments[1]]
        items = " ".join(f"{text(a).upper()} {values[text(a).upper()]}" for a in asked)
        self._send(f"* STATUS INBOX ({items})")
        self._send(f"{tag} OK STATUS completed.")

    def _views(self) -> list[MessageView]:
        """The messages of this session's view, in order (one gone since is left out)."""
        assert self.user is not None
        stored = {m.number: m for m in self.lab.mailboxes.messages(self.user)}
        return [
            MessageView(
                sequence,
                uid,
                self.lab.mailboxes.flags(uid),
                stored[uid].content,
                stored[uid].received,
            )
            for sequence, uid in enumerate(self.view, 1)
            if uid in stored
        ]

    def _numbers(self, sequence_set: str, *, by_uid: bool) -> list[MessageView]:
        views = self._views()
        if by_uid:
            wanted = SequenceSet(sequence_set, max(self.view, default=0))
            return [v for v in views if v.uid in wanted]
        wanted = SequenceSet(sequence_set, len(self.view))
        return [v for v in views if v.sequence in wanted]

    def _search(self, tag: str, name: str, arguments: list[Token], by_uid: bool) -> None:
        if arguments and isinstance(arguments[0], str) and arguments[0].upper() == "CHARSET":
            arguments = arguments[2:]  # the lab's strings are Unicode already
        test = search_test(arguments or ["ALL"], len(self.view), max(self.view, default=0))
        found = [v.uid if by_uid else v.sequence for v in self._views() if test(v)]
        self._send("* SEARCH" + "".join(f" {n}" for n in found))
        self._send(f"{tag} OK {name} completed.")

    def _fetch(
        self, tag: str, name: str, sequence_set: str, arguments: list[Token], by_uid: bool
    ) -> None:
        items = parse_items(arguments)
        if by_uid and not any(item.name == "UID" for item in items):
            items.insert(0, Item("UID"))  # a UID FETCH always reports the UID
        sets_seen = not self.read_only and any(item.sets_seen for item in items)
        bodies = 0
        for view in self._numbers(sequence_set, by_uid=by_uid):
            rendered = [render(item, view) for item in items]
            if sets_seen and r"\Seen" not in view.flags:
                view.flags = self.lab.mailboxes.change_flags(view.uid, {r"\Seen"}, "+")
                if not any(item.name == "FLAGS" for item in items):
                    rendered.append(render(Item("FLAGS"), view))
                else:
                    rendered = [render(item, view) for item in items]
            bodies += any(item.section is not None or item.name in WHOLE for item in items)
            self._send(b"* %d FETCH (" % view.sequence + b" ".join(rendered) + b")")
        if bodies:
            assert self.user is not None
            read = MailboxRead("imap", self.user, name, bodies, self.record.id)
            self.lab.recorder.add(read)
        self._send(f"{tag} OK {name} completed.")

    def _store(
        self, tag: str, name: str, sequence_set: str, arguments: list[Token], by_uid: bool
    ) -> None:
        if self.read_only:
            self._send(f"{tag} NO STORE failed: the mailbox was opened with EXAMINE.")
            return
        what = text(arguments[0]).upper()
        how = what[0] if what[0] in "+-" else ""
        if what.lstrip("+-") not in ("FLAGS", "FLAGS.SILENT"):
            raise CommandSyntaxError(f"STORE {what}")
        given = arguments[1:]
        listed = given[0] if len(given) == 1 and isinstance(given[0], list) else given
        flags = {_flag(text(flag)) for flag in listed}
        for view in self._numbers(sequence_set, by_uid=by_uid):
            view.flags = self.lab.mailboxes.change_flags(view.uid, flags, how)
            if not what.endswith(".SILENT") or by_uid:
                shown = [Item("FLAGS")] + ([Item("UID")] if by_uid else [])
                rendered = b" ".join(render(item, view) for item in shown)
                self._send(b"* %d FETCH (" % view.sequence + rendered + b")")
        self._send(f"{tag} OK {name} completed.")

    def _expunge(self, numbers: set[int] | None, *, report: bool) -> None:
        assert self.user is not None
        before = len(self.lab.mailboxes.messages(self.user))
        self.lab.mailboxes.expunge(self.user, numbers)
        removed = before - len(self.lab.mailboxes.messages(self.user))
        if removed:
            read = MailboxRead("imap", self.user, "EXPUNGE", removed, self.record.id)
            self.lab.recorder.add(read)
        if report:
            self._sync()

    def _sync(self) -> None:
        """Tell the client what changed in the mailbox since it last heard: messages gone
        (``* n EXPUNGE``, numbers shifting as they go) and new ones (``* n EXISTS``)."""
        assert self.user is not None
        current = [m.number for m in self.lab.mailboxes.messages(self.user)]
        present = set(current)
        index = 0
        while index < len(self.view):
            if self.view[index] in present:
                index += 1
            else:
                del self.view[index]
                self._send(f"* {index + 1} EXPUNGE")
        known = set(self.view)
        new = [number for number in current if number not in known]
        if new:
            self.view += new
            self._send(f"* {len(self.view)} EXISTS")

    def _idle(self, tag: str) -> None:
        """IDLE (RFC 2177): new and vanished messages as they happen, until ``DONE``."""
        assert self.user is not None
        user = self.user
        self._send("+ IDLE accepted, awaiting DONE command.")
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                if self.lab.mailboxes.wait_for_change(user, list(self.view), 0.25):
                    if not done.is_set():
                        self._sync()

        watcher = threading.Thread(target=watch, name="imap-idle", daemon=True)
        watcher.start()
        try:
            line = readline(self.rfile)
        finally:
            done.set()
            watcher.join()
        if line is None:
            return
        if line.strip().upper() != b"DONE":
            self._send(f"{tag} BAD Command Argument Error. 11")
            return
        self._send(f"{tag} OK IDLE completed.")

    def _authenticate(self, tag: str, args: str) -> str | None:
        mechanism, _, initial = args.strip().partition(" ")
        mechanism = mechanism.upper()
        failed = "NO AUTHENTICATE failed."
        if mechanism not in ("XOAUTH2", "PLAIN"):
            self._auth(mechanism, "unrecognized-mechanism", failed)
            self._fail("unrecognized-mechanism", failed, mechanism)
            self._send(f"{tag} {failed}")
            return None
        if initial:
            blob = initial.encode()
        else:
            self._send("+ ")
            line = readline(self.rfile)
            if line is None:
                self._auth(mechanism, "aborted", "", detail="connection closed")
                if mechanism == "XOAUTH2":
                    self._fail(
                        "xoauth2-challenge-abandoned", "connection closed after the + challenge"
                    )
                return None
            blob = line.strip()
        if blob == b"*":
            self._auth(mechanism, "aborted", "BAD Command Argument Error. 12")
            self._send(f"{tag} BAD Command Argument Error. 12")
            return None
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            self._auth(mechanism, "rejected", failed, detail="bad-base64")
            self._fail("malformed-sasl", failed, "bad-base64")
            self._send(f"{tag} {failed}")
            return None
        if mechanism == "PLAIN":
            parts = raw.split(b"\x00")
            login = parts[1].decode("utf-8", "replace") if len(parts) == 3 else None
            self._auth("PLAIN", "basic-auth-disabled", failed, login)
            self._fail("imap-login-refused", failed, f"AUTHENTICATE PLAIN as {login}")
            self._send(f"{tag} {failed}")
            return None
        check = self.lab.issuer.check_xoauth2(raw, "imap")
        if not check.ok:
            self._auth(
                "XOAUTH2", "rejected", failed, check.user, detail=check.detail, token=check.token
            )
            self._fail(xoauth2_cause(check.detail), failed, check.detail)
            self._send(f"{tag} {failed}")
            return None
        ok = "OK AUTHENTICATE completed."
        self._auth("XOAUTH2", "accepted", ok, check.user, detail=check.detail, token=check.token)
        self._send(f"{tag} {ok}")
        return check.user


def serve_imap(context: ServerContext, endpoint: Endpoint, client: Client) -> None:
    ImapSession(context, endpoint, client).run()


def _flag(name: str) -> str:
    """A flag as the mailbox keeps it (system flags are case-insensitive)."""
    for known in FLAGS:
        if known.lower() == name.lower():
            return known
    raise CommandSyntaxError(f"flag {name} cannot be stored")
