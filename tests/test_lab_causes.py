"""Each migration mistake, made by a real client, and what the verdict says about it: the
exact reply, the cause, and the rule that finds it in the source."""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Callable, Iterator

import msal
import pytest
from authsweep.lab import ExchangeSim, xoauth2_string

USER = "reports@contoso.com"


@pytest.fixture(scope="module")
def _running_lab() -> Iterator[ExchangeSim]:
    with ExchangeSim() as lab:
        yield lab


@pytest.fixture
def lab(_running_lab: ExchangeSim) -> Iterator[ExchangeSim]:
    _running_lab.reset()
    with _running_lab.redirect():
        yield _running_lab


def _after_starttls() -> smtplib.SMTP:
    smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
    smtp.starttls(context=ssl.create_default_context())
    smtp.ehlo()
    return smtp


def _causes(lab: ExchangeSim) -> list[tuple[str, str | None, str | None]]:
    verdict = lab.verdict()
    return [
        (f.failure.cause, f.to_json()["code"], f.cause.rule and f.cause.rule.id)
        for f in verdict.failures
    ]


def _app(lab: ExchangeSim) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        lab.client_id,
        client_credential=lab.client_secret,
        authority=f"https://login.microsoftonline.com/{lab.tenant_id}",
    )


def test_double_base64(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, lab.issue_token())
    smtp = _after_starttls()
    with pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.auth("XOAUTH2", lambda challenge=None: base64.b64encode(raw.encode()).decode())
    smtp.close()
    assert _causes(lab) == [("double-base64", "535 5.7.3", "AS301")]


def test_a_graph_token(lab: ExchangeSim) -> None:
    token = _app(lab).acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    smtp = _after_starttls()
    with pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token["access_token"]))
    smtp.close()
    assert _causes(lab) == [("wrong-audience", "535 5.7.3", "AS302")]
    [attempt] = lab.auth_attempts
    assert attempt.token is not None and attempt.token.audience == "https://graph.microsoft.com"


def test_a_zero_argument_authobject_on_the_challenge_path(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, lab.issue_token())
    smtp = _after_starttls()
    with pytest.raises(TypeError):
        smtp.auth("XOAUTH2", lambda: raw, initial_response_ok=False)  # type: ignore[arg-type,misc]
    smtp.close()
    assert _causes(lab) == [("xoauth2-challenge-abandoned", None, "AS303")]


def test_auth_right_after_starttls_without_ehlo(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, lab.issue_token())
    smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
    smtp.starttls(context=ssl.create_default_context())
    assert smtp.auth("XOAUTH2", lambda challenge=None: raw)[0] == 503  # smtplib: "success"
    with pytest.raises(smtplib.SMTPSenderRefused):
        smtp.sendmail(USER, ["ops@contoso.com"], b"Subject: x\r\n\r\nx\r\n")
    smtp.close()
    assert _causes(lab) == [("auth-before-ehlo", "530 5.7.57", None)]


def test_sending_as_another_address(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, lab.issue_token())
    smtp = _after_starttls()
    smtp.auth("XOAUTH2", lambda challenge=None: raw)
    with pytest.raises(smtplib.SMTPSenderRefused):
        smtp.sendmail("ceo@contoso.com", ["ops@contoso.com"], b"Subject: x\r\n\r\nx\r\n")
    smtp.quit()
    assert _causes(lab) == [("send-as-denied", "550 5.7.60", None)]


@pytest.mark.parametrize(
    ("ask", "cause", "code", "rule"),
    [
        (
            lambda app: app.acquire_token_for_client(
                scopes=["https://outlook.office.com/SMTP.Send"]
            ),
            "delegated-scope",
            "invalid_scope AADSTS1002012",
            "AS302",
        ),
        (
            lambda app: app.acquire_token_by_username_password(
                USER, "Winter2024!", scopes=["https://outlook.office.com/SMTP.Send"]
            ),
            "password-grant",
            "unsupported_grant_type AADSTS70003",
            "AS106",
        ),
    ],
    ids=["delegated-scope", "password-grant"],
)
def test_token_requests_that_cannot_work(
    lab: ExchangeSim,
    ask: Callable[[msal.ConfidentialClientApplication], dict],
    cause: str,
    code: str,
    rule: str,
) -> None:
    assert "error" in ask(_app(lab))
    assert _causes(lab) == [(cause, code, rule)]
    assert "Winter2024!" not in repr(lab.token_requests)
