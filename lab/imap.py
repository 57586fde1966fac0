"""IMAP4rev1 on implicit TLS, as ``outlook.office365.com:993`` answers it.

``LOGIN`` (and ``AUTHENTICATE PLAIN``) get ``NO LOGIN failed.`` / ``NO AUTHENTICATE failed.``;
``AUTHENTICATE XOAUTH2`` succeeds only with a token the lab issued for Exchange Online. Just
enough for ``imaplib``: CAPABILITY, NOOP, SELECT/EXAMINE INBOX (the messages the lab's SMTP
server accepted for that address), CLOSE/UNSELECT, LOGOUT.
"""

from __future__ import annotations

import base64
import binascii

from .context import ServerContext
from .hosts import Endpoint
from .listeners import HANDSHAKE_TIMEOUT, Client, readline
from .records import AuthAttempt, Connection, Failure, MailboxRead
from .tokens import xoauth2_cause

CAPABILITY = (
    "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE "
    "NAMESPACE LITERAL+"
)
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

    def _send(self, line: str) -> None:
        self.wfile.write(line.encode("utf-8") + b"\r\n")
        self.wfile.flush()

    def _auth(
        self, mechanism: str, outcome: str, reply: str, user: str | None = None, **extra: object
    ) -> None:
        self.lab.recorder.add(
            AuthAttempt("imap", mechanism, outcome, reply, user, connection=self.record.id, **extra)  # type: ignore[arg-type]
        )

    def _fail(self, cause: str, reply: str, detail: str = "") -> None:
        self.failed = True
        self.lab.recorder.add(Failure(cause, reply, "imap", self.record.id, detail))

    def _serve(self) -> bool:
        """The command loop; True when the client logged out."""
        self._send(f"* OK The Microsoft Exchange IMAP4 service is ready. [{greeting_tag()}]")
        selected = False
        while True:
            line = readline(self.rfile)
            if line is None:
                return False
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if not tag or not command:
                self._send(f"{tag or '*'} BAD Command Error. 10")
            elif command == "CAPABILITY":
                self._send(f"* CAPABILITY {CAPABILITY}")
                self._send(f"{tag} OK CAPABILITY completed.")
            elif command == "NOOP":
                self._send(f"{tag} OK NOOP completed.")
            elif command == "LOGOUT":
                self._send("* BYE Microsoft Exchange Server IMAP4 server signing off.")
                self._send(f"{tag} OK LOGOUT completed.")
                return True
            elif command == "LOGIN":
                login = args.split(" ", 1)[0].strip('"') or None
                self._auth("LOGIN", "basic-auth-disabled", "NO LOGIN failed.", login)
                self._fail("imap-login-refused", "NO LOGIN failed.", f"LOGIN as {login}")
                self._send(f"{tag} NO LOGIN failed.")
            elif command == "AUTHENTICATE":
                if self.user is not None:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                    continue
                self.user = self._authenticate(tag, args)
            elif command in ("SELECT", "EXAMINE"):
                if self.user is None:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                elif args.strip().strip('"').upper() != "INBOX":
                    self._send(f"{tag} NO Mailbox doesn't exist: {args.strip()}")
                else:
                    selected = True
                    self._select(tag, command)
            elif command in ("CLOSE", "UNSELECT"):
                if not selected:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                else:
                    selected = False
                    self._send(f"{tag} OK {command} completed.")
            else:
                self._send(f"{tag} BAD Command Error. 12")

    def _select(self, tag: str, command: str) -> None:
        assert self.user is not None
        count = len(self.lab.mailboxes.messages(self.user))
        self.lab.recorder.add(MailboxRead("imap", self.user, command, count, self.record.id))
        for untagged in (
            f"* {count} EXISTS",
            "* 0 RECENT",
            r"* FLAGS (\Seen \Answered \Flagged \Deleted \Draft $MDNSent)",
            r"* OK [PERMANENTFLAGS (\Seen \Answered \Flagged \Deleted \Draft $MDNSent)] "
            "Permanent flags",
            "* OK [UIDVALIDITY 14] UIDVALIDITY value",
            f"* OK [UIDNEXT {count + 1}] The next unique identifier value",
        ):
            self._send(untagged)
        mode = "READ-WRITE" if command == "SELECT" else "READ-ONLY"
        self._send(f"{tag} OK [{mode}] {command} completed.")

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
