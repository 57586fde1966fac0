"""The lab's Graph: sendMail as Exchange Online answers it, the tenant that refuses SMTP AUTH,
and Mail.Send in the tenant's set-up. Requests are made here with urllib (as the generated
client makes them) through the lab's redirection and CA."""

from __future__ import annotations

import base64
import json
import smtplib
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from authsweep.lab import ExchangeSim, TenantSetup, xoauth2_string
from lab_support import authsweep

USER = "reports@contoso.com"
GRAPH = "https://graph.microsoft.com/.default"
OUTLOOK = "https://outlook.office365.com/.default"
MIME = (
    f"From: {USER}\r\nTo: team@contoso.com\r\nBcc: audit@contoso.com\r\n"
    "Subject: Hello\r\n\r\nHi.\r\n"
).encode()


def _send(
    lab: ExchangeSim,
    body: bytes = MIME,
    *,
    token: str | None = None,
    path: str = f"/v1.0/users/{USER}/sendMail",
    content_type: str = "text/plain",
    host: str = "graph.microsoft.com",
    raw: bool = False,
) -> tuple[int, dict, dict]:
    """POST to the lab's Graph (MIME is base64-encoded unless ``raw``); its status, headers
    and JSON error (empty when none)."""
    token = token if token is not None else lab.issue_token(GRAPH)
    data = base64.b64encode(body) if content_type == "text/plain" and not raw else body
    request = urllib.request.Request(
        f"https://{host}{path}",
        data=data,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    with lab.redirect():
        context = lab.client_ssl_context()
        try:
            with urllib.request.urlopen(request, context=context, timeout=10) as reply:
                return reply.status, dict(reply.headers), {}
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), json.loads(error.read())["error"]


@pytest.fixture(scope="module")
def _shared():
    with ExchangeSim(mailboxes=[USER]) as running:
        yield running


@pytest.fixture
def lab(_shared: ExchangeSim) -> ExchangeSim:
    _shared.reset()
    return _shared


def _causes(lab: ExchangeSim) -> list[str]:
    return [f.cause for f in lab.failures]


def test_sendmail_delivers_to_to_cc_and_bcc_without_the_bcc_header(lab: ExchangeSim) -> None:
    status, _, _ = _send(lab)
    assert status == 202
    (message,) = lab.messages
    assert message.via == "graph" and message.mail_from == USER
    assert message.rcpt_tos == ("team@contoso.com", "audit@contoso.com")
    assert message.content == MIME.replace(b"Bcc: audit@contoso.com\r\n", b"")
    (request,) = lab.graph_requests
    assert (request.mailbox, request.status, request.audience) == (
        USER,
        202,
        "https://graph.microsoft.com",
    )
    assert lab.connections == [] and lab.verdict().passed


def test_an_outlook_token_is_refused_by_graph_and_a_graph_token_by_smtp(lab: ExchangeSim) -> None:
    status, _, error = _send(lab, token=lab.issue_token(OUTLOOK))
    assert (status, error["code"]) == (401, "InvalidAuthenticationToken")
    assert error["message"] == "Access token validation failure. Invalid audience."
    status, _, error = _send(lab, token="not-a-token-the-lab-issued")
    assert (status, error["code"]) == (401, "InvalidAuthenticationToken")
    assert _causes(lab) == ["graph-wrong-audience", "token-not-issued"]

    with lab.redirect(), smtplib.SMTP("smtp.office365.com", 587) as smtp:
        smtp.starttls(context=lab.client_ssl_context())
        smtp.ehlo()
        graph_token = lab.issue_token(GRAPH)
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, graph_token))
    assert refused.value.smtp_code == 535 and b"5.7.3" in refused.value.smtp_error


@pytest.mark.parametrize(
    ("tenant", "mailbox", "answer"),
    [
        (TenantSetup(mail_send=False), USER, (403, "ErrorAccessDenied", "graph-no-mail-send")),
        (TenantSetup.with_rights([f"graph:{USER}"], mail_send=False), USER, (202, None, None)),
        (
            TenantSetup.with_rights(["graph:other@contoso.com"], mail_send=False),
            USER,
            (403, "ErrorAccessDenied", "graph-mailbox-out-of-scope"),
        ),
        (
            TenantSetup.with_rights([f"graph:{USER}"], mail_send=False, service_principal=False),
            USER,
            (403, "ErrorAccessDenied", "no-service-principal"),
        ),
        # The Entra permission reaches every mailbox, whatever RBAC scopes say.
        (TenantSetup.with_rights(["smtp:other@contoso.com"]), USER, (202, None, None)),
    ],
)
def test_mail_send_in_the_tenant_set_up(tenant: TenantSetup, mailbox: str, answer) -> None:
    with ExchangeSim(tenant=tenant) as lab:
        status, _, error = _send(lab, path=f"/v1.0/users/{mailbox}/sendMail")
        assert (status, error.get("code"), (_causes(lab) or [None])[0]) == answer
        if status == 403:
            assert error["message"] == "Access is denied. Check credentials and try again."
        claims = lab.issue_token(GRAPH).split(".")[1]
        roles = json.loads(base64.urlsafe_b64decode(claims + "=="))["roles"]
        assert roles == (["Mail.Send"] if tenant.mail_send else [])


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "cause"),
    [
        (
            {"path": "/v1.0/users/nobody@contoso.com/sendMail"},
            404,
            "ErrorInvalidUser",
            "graph-unknown-user",
        ),
        ({"path": "/v1.0/me/sendMail"}, 400, "BadRequest", "graph-me-app-only"),
        ({"path": "/v1.0/users/x/messages"}, 400, "BadRequest", "graph-bad-request"),
        (
            {"body": b"%%% not base64", "raw": True},
            400,
            "ErrorMimeContentInvalidBase64String",
            "graph-bad-mime",
        ),
        (
            {"body": b"Subject: nobody\r\n\r\nHi.\r\n"},
            400,
            "ErrorInvalidRecipients",
            "graph-no-recipients",
        ),
        (
            {"body": MIME.replace(f"From: {USER}".encode(), b"From: ceo@contoso.com")},
            403,
            "ErrorSendAsDenied",
            "graph-send-as-denied",
        ),
        (
            {"body": MIME + b"x" * (3 * 1024 * 1024 + 100)},
            413,
            "RequestEntityTooLarge",
            "graph-too-large",
        ),
    ],
)
def test_what_graph_refuses(lab: ExchangeSim, request_kwargs, status, code, cause) -> None:
    status_seen, _, error = _send(lab, **request_kwargs)
    assert (status_seen, error["code"]) == (status, code)
    assert _causes(lab) == [cause] and lab.messages == []
    assert lab.verdict().to_json("t")["failures"][0]["code"] == code


def test_the_json_form_is_delivered_too(lab: ExchangeSim) -> None:
    body = {
        "message": {
            "subject": "Lunch?",
            "body": {"contentType": "HTML", "content": "<p>At noon.</p>"},
            "toRecipients": [{"emailAddress": {"address": "team@contoso.com"}}],
            "replyTo": [{"emailAddress": {"address": "desk@contoso.com"}}],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "menu.bin",
                    "contentType": "application/octet-stream",
                    "contentBytes": base64.b64encode(b"\x00\xff").decode(),
                }
            ],
        }
    }
    status, _, _ = _send(lab, json.dumps(body).encode(), content_type="application/json")
    assert status == 202
    message = lab.messages[0].message
    assert (message["Subject"], message["Reply-To"], message["From"]) == (
        "Lunch?",
        "desk@contoso.com",
        USER,
    )
    (attachment,) = message.iter_attachments()
    assert attachment.get_content() == b"\x00\xff"


def test_throttling_answers_429_with_retry_after() -> None:
    with ExchangeSim(throttle=1) as lab:
        status, headers, error = _send(lab)
        assert (status, headers["Retry-After"], error["code"]) == (429, "1", "ApplicationThrottled")
        assert _send(lab)[0] == 202
        verdict = lab.verdict()
        assert verdict.passed and verdict.failures[0].recovered


def test_smtp_auth_disabled_refuses_every_auth_oauth_too() -> None:
    with ExchangeSim(smtp_auth="disabled") as lab, lab.redirect():
        with smtplib.SMTP("smtp.office365.com", 587) as smtp:
            smtp.starttls(context=lab.client_ssl_context())
            smtp.ehlo()
            token = lab.issue_token(OUTLOOK)
            with pytest.raises(smtplib.SMTPAuthenticationError) as oauth:
                smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))
        with smtplib.SMTP("smtp.office365.com", 587) as smtp:
            smtp.starttls(context=ssl.create_default_context(cafile=str(lab.ca_pem_path)))
            with pytest.raises(smtplib.SMTPAuthenticationError) as password:
                smtp.login(USER, "Correct-Horse-9")
        verdict = lab.verdict()
    expected = (
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."
    )
    for refused in (oauth.value, password.value):
        assert refused.smtp_code == 535 and refused.smtp_error.decode().startswith(expected)
    assert [a.outcome for a in verdict.snapshot.auth_attempts] == ["smtp-auth-disabled"] * 2
    assert {f.cause.id for f in verdict.failures} == {"smtp-auth-disabled"}
    with pytest.raises(ValueError, match="smtp_auth"):
        ExchangeSim(smtp_auth="off")


PROGRAM = """\
import os, smtplib, ssl
with smtplib.SMTP("smtp.office365.com", 587) as s:
    s.starttls(context=ssl.create_default_context())
    s.login(os.environ["MAIL_USER"], "Correct-Horse-9")
    s.sendmail(os.environ["MAIL_USER"], ["team@contoso.com"], "Subject: x\\r\\n\\r\\nHi.\\r\\n")
"""


@pytest.mark.slow
def test_lab_run_in_the_smtp_auth_disabled_mode_recommends_graph(tmp_path: Path) -> None:
    program = tmp_path / "send.py"
    program.write_text(PROGRAM)
    run = authsweep(
        "lab",
        "run",
        "--smtp-auth",
        "disabled",
        "--format",
        "json",
        "--",
        sys.executable,
        str(program),
        cwd=tmp_path,
        env={"MAIL_USER": USER},
    )
    verdict = json.loads(run.stdout)
    assert run.returncode == 1 and verdict["faults"]["smtp_auth"] == "disabled"
    (refused, _) = verdict["failures"]
    assert (refused["cause"], refused["code"]) == ("smtp-auth-disabled", "535 5.7.139")
    assert "`authsweep fix --unsafe-fixes --target graph`" in refused["remedy"]
    text = authsweep(
        "lab",
        "run",
        "--smtp-auth",
        "disabled",
        "--no-mail-send",
        "--",
        sys.executable,
        str(program),
        cwd=tmp_path,
        env={"MAIL_USER": USER},
    )
    assert "SmtpClientAuthentication is disabled for the Tenant" in text.stdout
    bad = authsweep("lab", "run", "--smtp-auth", "off", "--", "true", cwd=tmp_path)
    assert bad.returncode == 2
