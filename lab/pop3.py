"""POP3 as ``outlook.office365.com`` answers it: 995 with implicit TLS, 110 with STLS.

What Exchange Online does, from Microsoft's "Authenticate an IMAP, POP or SMTP connection
using OAuth" page and protocol logs of the real service:

* greeting ``+OK The Microsoft Exchange POP3 service is ready. [<front end, UTF-16LE base64>]``;
  ``CAPA`` lists ``TOP``, ``UIDL``, ``SASL PLAIN XOAUTH2``, ``USER`` (and ``STLS`` on 110
  before TLS, where nothing else is accepted: ``-ERR Command is not valid in this state.``);
* basic auth is off: ``USER`` is answered ``+OK``, then ``PASS`` gets
  ``-ERR Logon failure: unknown user name or bad password.``;
* ``AUTH XOAUTH2`` on a line of its own, ``+ `` continuation, then the base64 XOAUTH2 string:
  ``+OK User successfully authenticated.`` or
  ``-ERR Authentication failure: unknown user name or bad password.``. The string on the AUTH
  line itself (SASL initial response) is refused with
  ``-ERR Protocol error. Connection is closed. 10`` and the connection closed;
* STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT (deletions made at QUIT).

``poplib`` has no AUTH method; clients send ``AUTH XOAUTH2`` with ``_shortcmd`` and base64 the
string themselves.
"""

from __future__ import annotations

import base64
import binascii

from .context import ServerContext
from .hosts import Endpoint
from .imap import greeting_tag
from .listeners import HANDSHAKE_TIMEOUT, Client, readline
from .mailboxes import StoredMessage
from .records import AuthAttempt, Connection, Failure, MailboxRead
from .tokens import xoauth2_cause

REPLY_NOT_VALID = "-ERR Command is not valid in this state."
REPLY_LOGON_FAILURE = "-ERR Logon failure: unknown user name or bad password."
REPLY_AUTH_FAILURE = "-ERR Authentication failure: unknown user name or bad password."
REPLY_AUTH_OK = "+OK User successfully authenticated."
REPLY_PROTOCOL_ERROR = "-ERR Protocol error. Connection is closed. 10"

_TRANSACTION = frozenset({"STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET", "NOOP"})


class Pop3Session:
    """One POP3 client connection (runs in its own thread)."""

    idle_timeout = 600.0  # RFC 1939: an autologout timer of at least 10 minutes

    def __init__(self, context: ServerContext, endpoint: Endpoint, client: Client) -> None:
        self.lab = context
        self.endpoint = endpoint
        self.client = client
        self.record: Connection = context.recorder.open_connection(endpoint)
        self.tls = False
        self.user_name: str | None = None  # from USER, waiting for PASS
        self.mailbox: str | None = None  # set once authenticated
        self.messages: list[StoredMessage] = []
        self.deleted: set[int] = set()
        self.read_recorded = False

    # ------------------------------------------------------------------ plumbing

    def run(self) -> None:
        ended = "client closed"
        try:
            self.client.sock.settimeout(HANDSHAKE_TIMEOUT)
            if self.endpoint.implicit_tls and not self._start_tls("implicit"):
                return
            self.client.sock.settimeout(self.idle_timeout)
            self._files()
            ended = self._serve()
        except TimeoutError:
            ended = "idle timeout"
        finally:
            self.lab.recorder.close_connection(self.record, ended)

    def _files(self) -> None:
        self.rfile = self.client.sock.makefile("rb")
        self.wfile = self.client.sock.makefile("wb")

    def _start_tls(self, mode: str) -> bool:
        try:
            tls = self.client.start_tls(self.lab.mail_tls)
        except OSError as error:  # ssl.SSLError included
            self.lab.tls_failed(self.record, mode, error)
            return False
        self.tls = True
        self.lab.tls_established(self.record, mode, tls)
        return True

    def _send(self, *lines: str | bytes) -> None:
        for line in lines:
            data = line.encode("utf-8") if isinstance(line, str) else line
            self.wfile.write(data + b"\r\n")
        self.wfile.flush()

    def _auth(
        self, mechanism: str, outcome: str, reply: str, user: str | None, **extra: object
    ) -> None:
        attempt = AuthAttempt(
            "pop3",
            mechanism,
            outcome,
            reply,
            user,
            tls=self.tls,
            connection=self.record.id,
            **extra,  # type: ignore[arg-type]
        )
        self.lab.recorder.add(attempt)

    def _fail(self, cause: str, reply: str, detail: str = "") -> None:
        self.lab.recorder.add(Failure(cause, reply, "pop3", self.record.id, detail))

    # ------------------------------------------------------------------ the session

    def _serve(self) -> str:
        """The command loop; returns how the connection ended."""
        self._send(f"+OK The Microsoft Exchange POP3 service is ready. [{greeting_tag()}]")
        while True:
            line = readline(self.rfile)
            if line is None:
                return "client closed"
            command, _, args = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            command = command.upper()
            if command == "QUIT":
                if self.mailbox is not None and self.deleted:
                    gone = {self.messages[i].uid for i in self.deleted}
                    self.lab.mailboxes.remove(self.mailbox, gone)
                self._send("+OK Microsoft Exchange Server POP3 server signing off.")
                return "quit"
            if command == "CAPA":
                self._capa()
            elif command == "STLS":
                if self.tls:
                    self._send(REPLY_NOT_VALID)
                    continue
                self._send("+OK Begin TLS negotiation.")
                if not self._start_tls("starttls"):
                    return "closed by the server"
                self._files()
            elif command in ("USER", "PASS", "AUTH") and not self.tls:
                self._auth(
                    command,
                    "unrecognized-mechanism",
                    REPLY_NOT_VALID,
                    None,
                    detail="before-starttls",
                )
                self._fail("auth-before-starttls", REPLY_NOT_VALID, f"{command} before STLS")
                self._send(REPLY_NOT_VALID)
            elif command == "USER" and self.mailbox is None:
                self.user_name = args.strip() or None
                self._send("+OK")
            elif command == "PASS" and self.mailbox is None:
                self._auth("USER/PASS", "basic-auth-disabled", REPLY_LOGON_FAILURE, self.user_name)
                self._fail(
                    "pop-login-refused", REPLY_LOGON_FAILURE, f"USER/PASS as {self.user_name}"
                )
                self._send(REPLY_LOGON_FAILURE)
            elif command == "AUTH" and self.mailbox is None:
                if not self._authenticate(args.strip()):
                    return "closed by the server"
            elif command in _TRANSACTION and self.mailbox is not None:
                self._transaction(command, args.split())
            else:
                self._send(REPLY_NOT_VALID)

    def _capa(self) -> None:
        if self.tls:
            capabilities = ["TOP", "UIDL", "SASL PLAIN XOAUTH2", "USER"]
        else:
            capabilities = ["TOP", "UIDL", "STLS", "USER"]
        self._send("+OK", *capabilities, ".")

    def _authenticate(self, args: str) -> bool:
        """AUTH; False when the connection is to be closed."""
        mechanism, _, initial = args.partition(" ")
        mechanism = mechanism.upper()
        if not mechanism:
            self._send("+OK", "PLAIN", "XOAUTH2", ".")
            return True
        if mechanism not in ("PLAIN", "XOAUTH2"):
            self._auth(mechanism, "unrecognized-mechanism", REPLY_AUTH_FAILURE, None)
            self._fail("unrecognized-mechanism", REPLY_AUTH_FAILURE, mechanism)
            self._send(REPLY_AUTH_FAILURE)
            return True
        if initial.strip():
            self._auth(mechanism, "rejected", REPLY_PROTOCOL_ERROR, None, detail="initial-response")
            self._fail("pop3-auth-one-line", REPLY_PROTOCOL_ERROR, f"AUTH {mechanism} <string>")
            self._send(REPLY_PROTOCOL_ERROR)
            return False
        self._send("+ ")
        line = readline(self.rfile)
        if line is None:
            self._auth(mechanism, "aborted", "", None, detail="connection closed")
            return False
        blob = line.strip()
        if blob == b"*":
            self._auth(mechanism, "aborted", "-ERR Authentication canceled.", None)
            self._send("-ERR Authentication canceled.")
            return True
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            self._auth(mechanism, "rejected", REPLY_AUTH_FAILURE, None, detail="bad-base64")
            self._fail("malformed-sasl", REPLY_AUTH_FAILURE, "bad-base64")
            self._send(REPLY_AUTH_FAILURE)
            return True
        if mechanism == "PLAIN":
            parts = raw.split(b"\x00")
            login = parts[1].decode("utf-8", "replace") if len(parts) == 3 else None
            self._auth("PLAIN", "basic-auth-disabled", REPLY_AUTH_FAILURE, login)
            self._fail("pop-login-refused", REPLY_AUTH_FAILURE, f"AUTH PLAIN as {login}")
            self._send(REPLY_AUTH_FAILURE)
            return True
        check = self.lab.issuer.check_xoauth2(raw, "pop")
        if not check.ok:
            self._auth(
                "XOAUTH2",
                "rejected",
                REPLY_AUTH_FAILURE,
                check.user,
                detail=check.detail,
                token=check.token,
            )
            self._fail(xoauth2_cause(check.detail), REPLY_AUTH_FAILURE, check.detail)
            self._send(REPLY_AUTH_FAILURE)
            return True
        self._auth(
            "XOAUTH2", "accepted", REPLY_AUTH_OK, check.user, detail=check.detail, token=check.token
        )
        assert check.user is not None
        self.mailbox = check.user
        self.messages = self.lab.mailboxes.messages(check.user)
        self._send(REPLY_AUTH_OK)
        return True

    # ------------------------------------------------------------------ transaction state

    def _message(self, number: str) -> int | None:
        """The 0-based index of message ``number``, or None after replying -ERR."""
        try:
            index = int(number) - 1
        except ValueError:
            index = -1
        if not 0 <= index < len(self.messages) or index in self.deleted:
            self._send("-ERR The specified message is out of range.")
            return None
        return index

    def _live(self) -> list[int]:
        return [i for i in range(len(self.messages)) if i not in self.deleted]

    def _transaction(self, command: str, args: list[str]) -> None:
        assert self.mailbox is not None
        if not self.read_recorded and command not in ("NOOP", "RSET"):
            self.read_recorded = True
            read = MailboxRead("pop3", self.mailbox, command, len(self.messages), self.record.id)
            self.lab.recorder.add(read)
        if command == "NOOP":
            self._send("+OK")
        elif command == "RSET":
            self.deleted.clear()
            self._send("+OK")
        elif command == "STAT":
            live = self._live()
            self._send(f"+OK {len(live)} {sum(len(self.messages[i].content) for i in live)}")
        elif command in ("LIST", "UIDL"):
            self._listing(command, args)
        elif command == "DELE":
            index = self._message(args[0] if args else "")
            if index is not None:
                self.deleted.add(index)
                self._send("+OK")
        else:  # RETR, TOP
            index = self._message(args[0] if args else "")
            if index is None:
                return
            lines = self.messages[index].content.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
            if command == "TOP":
                try:
                    body_lines = max(0, int(args[1])) if len(args) > 1 else 0
                except ValueError:
                    body_lines = 0
                end = lines.index(b"") if b"" in lines else len(lines)
                lines = lines[: end + 1 + body_lines]
            stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
            self._send("+OK", *stuffed, ".")

    def _listing(self, command: str, args: list[str]) -> None:
        def entry(index: int) -> str:
            message = self.messages[index]
            return f"{index + 1} {len(message.content) if command == 'LIST' else message.uid}"

        if args:
            index = self._message(args[0])
            if index is not None:
                self._send(f"+OK {entry(index)}")
            return
        self._send("+OK", *(entry(i) for i in self._live()), ".")


def serve_pop3(context: ServerContext, endpoint: Endpoint, client: Client) -> None:
    Pop3Session(context, endpoint, client).run()
