"""Why something failed: each cause the lab can name, what Microsoft means by it, what to do,
and the authsweep rule that finds the cause in source or config without running anything."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    name: str

    def __str__(self) -> str:
        return f"{self.id} {self.name}"


AS101 = Rule("AS101", "smtp-basic-auth")
AS102 = Rule("AS102", "imap-pop-basic-auth")
AS105 = Rule("AS105", "hardcoded-mail-secret")
AS106 = Rule("AS106", "password-token-flow")
AS201 = Rule("AS201", "implicit-tls-on-587")
AS202 = Rule("AS202", "unsupported-port")
AS203 = Rule("AS203", "login-before-starttls")
AS204 = Rule("AS204", "unverified-tls")
AS301 = Rule("AS301", "xoauth2-double-encoding")
AS302 = Rule("AS302", "wrong-token-scope")
AS303 = Rule("AS303", "xoauth2-authobject-signature")


@dataclass(frozen=True)
class Cause:
    id: str
    meaning: str
    remedy: str
    rule: Rule | None = None
    transient: bool = False  # a 4xx or a dropped line: a program that retries recovers


_CAUSES = (
    Cause(
        "basic-auth-disabled",
        "A password login (AUTH LOGIN/PLAIN) was refused: Exchange Online turns basic "
        "authentication for SMTP AUTH off by default at the end of December 2026, then removes it.",
        "Authenticate with XOAUTH2 and an app-only token from MSAL; "
        "`authsweep fix --unsafe-fixes` writes it.",
        AS101,
    ),
    Cause(
        "smtp-auth-disabled",
        "The tenant refuses SMTP AUTH altogether, XOAUTH2 included (security defaults, or "
        "Set-TransportConfig -SmtpClientAuthenticationDisabled $true): no login to "
        "smtp.office365.com can succeed.",
        "Send through Microsoft Graph instead: `authsweep fix --unsafe-fixes --target graph` "
        "moves the sends to Graph sendMail (Mail.Send); or have the admin allow SMTP AUTH for "
        "this mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false).",
    ),
    Cause(
        "imap-login-refused",
        "An IMAP password login was refused: basic authentication for IMAP has been off in "
        "Exchange Online since 2022.",
        "AUTHENTICATE XOAUTH2 with a token for https://outlook.office365.com/.default; "
        "`authsweep fix --unsafe-fixes` writes it for imaplib.",
        AS102,
    ),
    Cause(
        "pop-login-refused",
        "A POP3 password login was refused: basic authentication for POP has been off in "
        "Exchange Online since 2022.",
        "AUTH XOAUTH2 on a line of its own, then the base64 XOAUTH2 string after the `+`.",
        AS102,
    ),
    Cause(
        "auth-before-starttls",
        "Credentials were offered on a connection that was never upgraded with STARTTLS/STLS; "
        "Exchange offers authentication only after it.",
        "Call starttls() (POP3: stls()) with ssl.create_default_context() before logging in.",
        AS203,
    ),
    Cause(
        "closed-before-starttls",
        "The client left after EHLO without STARTTLS. Exchange advertises AUTH only after "
        "STARTTLS, so a client that logs in on the plain connection gives up here (smtplib: "
        "SMTPNotSupportedError 'SMTP AUTH extension not supported by server').",
        "Call starttls(context=ssl.create_default_context()) and ehlo() before logging in.",
        AS203,
    ),
    Cause(
        "tls-on-plain-port",
        "The client started TLS at once (implicit TLS, SMTP_SSL) on a port that speaks plain "
        "SMTP until STARTTLS; the client gets [SSL: WRONG_VERSION_NUMBER].",
        "Use smtplib.SMTP(host, 587) and starttls(), not SMTP_SSL.",
        AS201,
    ),
    Cause(
        "unsupported-port",
        "Microsoft 365 serves SMTP client submission on 587 (and 25) only; 465 and other ports "
        "time out against the real service (the lab refuses the name at once).",
        "Use port 587 with STARTTLS.",
        AS202,
    ),
    Cause(
        "port-not-simulated",
        "The lab serves no such port on this Microsoft host name.",
        "IMAP 993, POP3 995 or 110, SMTP 587 or 25.",
    ),
    Cause(
        "blocked-host",
        "A host name the lab does not simulate: the program under test reaches only the "
        "simulated Microsoft host names (and loopback).",
        "Run with --allow-other-hosts if the program needs other services too.",
    ),
    Cause(
        "token-expired",
        "The access token had expired. Tokens live about an hour in production (the lab's "
        "--token-lifetime here): a program that fetched one token at start-up and keeps the "
        "string fails like this an hour later.",
        "Ask MSAL (acquire_token_for_client) before each connection: its cache returns the same "
        "token until five minutes before it expires, then a fresh one. The helper "
        "`authsweep fix` writes does this.",
    ),
    Cause(
        "wrong-audience",
        "The token is for another resource (Microsoft Graph, say); Exchange accepts only tokens "
        "for Office 365 Exchange Online.",
        "Request the scope https://outlook.office365.com/.default (GCC High: "
        "https://outlook.office365.us/.default).",
        AS302,
    ),
    Cause(
        "double-base64",
        "The XOAUTH2 string was base64-encoded twice: smtplib.auth and imaplib.authenticate "
        "encode what the authobject returns.",
        "Return the raw user=...\\x01auth=Bearer ...\\x01\\x01 string from the authobject.",
        AS301,
    ),
    Cause(
        "malformed-sasl",
        "The response is not a SASL XOAUTH2 string (user=<address>^Aauth=Bearer <token>^A^A).",
        "Build it as f'user={address}\\x01auth=Bearer {token}\\x01\\x01'.",
    ),
    Cause(
        "token-not-issued",
        "A token the identity platform never issued: a literal token in code or config, one of "
        "another tenant, or a cut-off one.",
        "Get the token from MSAL at run time; never store one.",
        AS105,
    ),
    Cause(
        "unknown-mailbox",
        "The XOAUTH2 user= is not a mailbox this app may open.",
        "Put the mailbox address in user= (and give the app's service principal access to it).",
    ),
    Cause(
        "no-service-principal",
        "The token is valid, but the app has no service principal in Exchange Online: the "
        "tenant's set-up step New-ServicePrincipal (with the enterprise application's object "
        "id) is missing. Exchange Online answers with its generic XOAUTH2 failure.",
        "Register it: `authsweep tenant plan --format powershell` writes the script "
        "(New-ServicePrincipal -AppId <app id> -ObjectId <enterprise app object id>).",
    ),
    Cause(
        "no-mailbox-right",
        "The token is valid and the app is registered, but it has no right on this mailbox "
        "for this protocol: the tenant's set-up step that grants it (an RBAC for Applications "
        "role scoped to the mailbox, or Add-MailboxPermission) is missing.",
        "Grant it: `authsweep tenant plan` lists the mailboxes the code uses and the role or "
        "permission each protocol needs.",
    ),
    Cause(
        "unrecognized-mechanism",
        "A mechanism Exchange does not offer (SMTP offers LOGIN and XOAUTH2, after STARTTLS).",
        "Use XOAUTH2.",
    ),
    Cause(
        "xoauth2-challenge-abandoned",
        "The client stopped in the middle of XOAUTH2, right after the server's challenge (334, "
        "or + for IMAP): its authobject failed there. One that takes no argument (lambda: s) "
        "raises TypeError exactly here.",
        "Write the authobject as lambda challenge=None: s.",
        AS303,
    ),
    Cause(
        "auth-before-ehlo",
        "AUTH came right after STARTTLS without a new EHLO: Exchange answered "
        "503 5.5.2 Send hello first, smtplib took that for success, then MAIL FROM was refused.",
        "Call ehlo() after starttls() (the fix writes ehlo_or_helo_if_needed()).",
    ),
    Cause(
        "not-authenticated",
        "MAIL FROM, RCPT TO or DATA without a successful AUTH.",
        "Authenticate with XOAUTH2 after STARTTLS and EHLO.",
    ),
    Cause(
        "send-as-denied",
        "MAIL FROM is not the authenticated mailbox (XOAUTH2 user=) and the app may not send as "
        "that address.",
        "Send from the mailbox in user=, or grant SendAs (Add-RecipientPermission).",
    ),
    Cause(
        "pop3-auth-one-line",
        "AUTH XOAUTH2 with the string on the same line: Exchange's POP3 wants AUTH XOAUTH2 "
        "alone, then the string after its `+` continuation, and closes the connection otherwise.",
        "Send AUTH XOAUTH2, read the +, then send the base64 string.",
    ),
    Cause(
        "throttled",
        "Exchange Online's front end was busy (injected by --throttle): 4xx means try again later.",
        "Retry with back-off on 4xx replies and on SMTPServerDisconnected.",
        transient=True,
    ),
    Cause(
        "concurrent-limit",
        "More than three SMTP sessions of one mailbox submitted at once; Exchange allows three.",
        "Send over fewer connections at a time, and retry 4xx replies with back-off.",
        transient=True,
    ),
    Cause(
        "dropped",
        "The connection was cut in the middle of the session (injected by --drop), as a network "
        "or a server restart does.",
        "Reconnect and retry on SMTPServerDisconnected / connection errors.",
        transient=True,
    ),
    Cause(
        "certificate-not-verified",
        "The client accepted a certificate from a CA it was never given (--probe-certificate): "
        "it does not check certificates, so anyone on the path can read the token.",
        "Pass context=ssl.create_default_context() to starttls() / SMTP_SSL / IMAP4_SSL / "
        "POP3_SSL.",
        AS204,
    ),
    Cause(
        "lab-ca-not-trusted",
        "The client checks certificates (good) but not against the CA the lab put in "
        "SSL_CERT_FILE / REQUESTS_CA_BUNDLE: it brings its own CA bundle (certifi, say).",
        "Let the program use the default trust store, or point its CA bundle setting at the "
        "lab's CA file.",
    ),
    Cause(
        "tls-handshake-failed",
        "The TLS handshake failed.",
        "See the TLS reason; Exchange wants TLS 1.2 or newer.",
    ),
    Cause(
        "graph-wrong-audience",
        "Graph refused the token: it is for another resource (Exchange Online's Outlook, "
        "say). Graph takes only tokens for Microsoft Graph of its own cloud.",
        "Request https://graph.microsoft.com/.default for Graph (GCC High: "
        "https://graph.microsoft.us/.default); the client `fix --target graph` writes does.",
    ),
    Cause(
        "graph-no-mail-send",
        "Graph refused the send (403 ErrorAccessDenied): the app holds no Mail.Send, neither "
        "the Microsoft Graph application permission with admin consent nor the RBAC for "
        "Applications role Application Mail.Send.",
        "Grant one: `authsweep tenant plan --target graph` writes the steps (the RBAC role "
        "scoped to exactly the code's mailboxes).",
    ),
    Cause(
        "graph-mailbox-out-of-scope",
        "Graph refused the send (403 ErrorAccessDenied): the app's Mail.Send comes from an "
        "RBAC for Applications role whose management scope leaves this mailbox out.",
        "Add the mailbox to the scope: `authsweep tenant plan --target graph` lists the code's "
        "mailboxes.",
    ),
    Cause(
        "graph-unknown-user",
        "Graph knows no user by this id or user principal name (404 ErrorInvalidUser).",
        "Send from the mailbox's address or user principal name, the one the code logged in as.",
    ),
    Cause(
        "graph-send-as-denied",
        "The message's From is not the mailbox whose sendMail was called, and that mailbox may "
        "not send as it (403 ErrorSendAsDenied).",
        "Send from the From address's own mailbox, or grant SendAs: Add-RecipientPermission "
        "-Identity <from> -Trustee <mailbox> -AccessRights SendAs.",
    ),
    Cause(
        "graph-me-app-only",
        "POST /me/sendMail with an app-only token: /me is the signed-in user, and an app-only "
        "token has none.",
        "POST /users/{mailbox}/sendMail.",
    ),
    Cause(
        "graph-bad-mime",
        "The body is not base64 of a MIME message (400 ErrorMimeContentInvalidBase64String).",
        "Send the message's bytes, base64-encoded, with Content-Type: text/plain.",
    ),
    Cause(
        "graph-no-recipients",
        "The message names no To, Cc or Bcc recipient: Graph delivers to those headers, "
        "there is no SMTP envelope (400 ErrorInvalidRecipients).",
        "Name the recipients in the message (the client `fix --target graph` writes adds "
        "envelope-only ones as Bcc).",
    ),
    Cause(
        "graph-too-large",
        "The request is over Graph's 4 MB limit on a request body (the message in base64).",
        "Send smaller messages, or a draft with upload sessions for the attachments "
        "(Mail.ReadWrite).",
    ),
    Cause(
        "graph-bad-request",
        "A request the lab's Graph does not take: only POST /v1.0/users/{id}/sendMail is served.",
        "POST the message to /v1.0/users/{mailbox}/sendMail.",
    ),
    Cause(
        "graph-throttled",
        "Graph throttled the app (429 with Retry-After; injected by --throttle).",
        "Wait as Retry-After says, then retry (the client `fix --target graph` writes does, "
        "a bounded number of times).",
        transient=True,
    ),
    Cause(
        "password-grant",
        "The program asked the identity platform for a token with the user's password (ROPC), "
        "which fails under MFA and is not a migration.",
        "Use the client-credentials flow (acquire_token_for_client).",
        AS106,
    ),
    Cause(
        "delegated-scope",
        "A client-credentials token request named a delegated scope (SMTP.Send, ...); app-only "
        "tokens need <resource>/.default.",
        "Request https://outlook.office365.com/.default.",
        AS302,
    ),
    Cause(
        "wrong-cloud-scope",
        "The scope belongs to another Microsoft cloud than the authority the program asked.",
        "Use the scope and authority of the same cloud (GCC High: .us, 21Vianet: .cn).",
        AS302,
    ),
    Cause(
        "token-request-failed",
        "The identity platform refused the token request (wrong client id or secret, tenant, ...).",
        "See the AADSTS code; the lab's app registration is in AZURE_CLIENT_ID / "
        "AZURE_CLIENT_SECRET / AZURE_TENANT_ID.",
    ),
    Cause(
        "command-failed",
        "The command exited with a non-zero status.",
        "See its output above the verdict.",
    ),
    Cause(
        "command-timeout",
        "The command did not finish within --timeout and was stopped.",
        "See its output; a program that waits on port 465 waits forever against Microsoft.",
    ),
)

CAUSES: dict[str, Cause] = {cause.id: cause for cause in _CAUSES}


def token_request_cause(grant_type: str, error: str | None, description: str | None) -> str:
    """The cause id for a refused token request."""
    if error == "unsupported_grant_type" and grant_type == "password":
        return "password-grant"
    if error == "invalid_scope" and "AADSTS1002012" in (description or ""):
        return "delegated-scope"
    if error == "invalid_resource":
        return "wrong-cloud-scope"
    return "token-request-failed"
