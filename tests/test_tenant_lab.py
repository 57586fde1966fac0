"""The lab's tenant mistakes: a valid token whose app has no service principal in Exchange
Online, or no right on the mailbox, gets Exchange's generic XOAUTH2 failure, and the
verdict names the missing set-up step and points to `authsweep tenant plan`."""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from pathlib import Path

import msal
import pytest
from authsweep.lab import ExchangeSim, TenantSetup, xoauth2_string
from lab_support import lab_run

USER = "reports@contoso.com"


def _token(lab: ExchangeSim) -> str:
    app = msal.ConfidentialClientApplication(
        lab.client_id,
        client_credential=lab.client_secret,
        authority=f"https://login.microsoftonline.com/{lab.tenant_id}",
    )
    return app.acquire_token_for_client(scopes=["https://outlook.office365.com/.default"])[
        "access_token"
    ]


def _smtp(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, _token(lab))
    with smtplib.SMTP("smtp.office365.com", 587, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
        smtp.auth("XOAUTH2", lambda challenge=None: raw)
        smtp.sendmail(USER, [USER], "Subject: x\r\n\r\nbody\r\n")


def _imap(lab: ExchangeSim) -> None:
    raw = xoauth2_string(USER, _token(lab))
    imap = imaplib.IMAP4_SSL("outlook.office365.com", ssl_context=ssl.create_default_context())
    try:
        imap.authenticate("XOAUTH2", lambda _: raw)
        imap.select("INBOX")
    finally:
        imap.shutdown()


def _failures(lab: ExchangeSim) -> list[tuple[str, str | None]]:
    return [(f.failure.cause, f.to_json()["code"]) for f in lab.verdict().failures]


def test_no_service_principal() -> None:
    with ExchangeSim(tenant=TenantSetup(service_principal=False)) as lab, lab.redirect():
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            _smtp(lab)
        assert refused.value.smtp_code == 535
        assert refused.value.smtp_error.startswith(b"5.7.3 Authentication unsuccessful")
        verdict = lab.verdict()
    assert _failures(lab) == [("no-service-principal", "535 5.7.3")]
    assert not verdict.passed
    text = str(verdict)
    assert "New-ServicePrincipal" in text and "authsweep tenant plan" in text


def test_mailbox_right_is_per_protocol() -> None:
    setup = TenantSetup.with_rights([f"smtp:{USER}"])
    with ExchangeSim(tenant=setup) as lab, lab.redirect():
        _smtp(lab)  # delivered: the right is there for SMTP
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATE failed"):
            _imap(lab)
        verdict = lab.verdict()
    assert len(verdict.snapshot.messages) == 1
    assert [f.failure.cause for f in verdict.failures] == ["no-mailbox-right"]
    assert f"imap {USER}" in verdict.failures[0].failure.detail
    assert "authsweep tenant plan" in verdict.failures[0].cause.remedy


def test_set_up_tenant_passes() -> None:
    setup = TenantSetup.with_rights([USER])  # every protocol
    with ExchangeSim(tenant=setup) as lab, lab.redirect():
        _smtp(lab)
        _imap(lab)
        assert lab.verdict().passed


@pytest.mark.parametrize("entry", ["nobody", "ftp:a@contoso.com"])
def test_bad_rights(entry: str) -> None:
    with pytest.raises(ValueError):
        TenantSetup.with_rights([entry])


@pytest.mark.slow
def test_lab_run_options(tmp_path: Path) -> None:
    program = tmp_path / "send.py"
    program.write_text(
        "import os, smtplib, ssl, msal\n"
        "app = msal.ConfidentialClientApplication(os.environ['AZURE_CLIENT_ID'],\n"
        "    client_credential=os.environ['AZURE_CLIENT_SECRET'],\n"
        "    authority='https://login.microsoftonline.com/' + os.environ['AZURE_TENANT_ID'])\n"
        "token = app.acquire_token_for_client(\n"
        "    scopes=['https://outlook.office365.com/.default'])['access_token']\n"
        "user = os.environ['MAIL_USER']\n"
        "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
        "    s.starttls(context=ssl.create_default_context())\n"
        "    s.ehlo()\n"
        "    s.auth('XOAUTH2', lambda c=None: f'user={user}\\x01auth=Bearer {token}\\x01\\x01')\n"
        "    s.sendmail(user, [user], 'Subject: x\\r\\n\\r\\nhi')\n"
    )
    refused = lab_run(program, "--mailbox-right", "imap:" + USER)
    assert [(f["cause"], f["code"]) for f in refused["failures"]][0] == (
        "no-mailbox-right",
        "535 5.7.3",
    )
    assert lab_run(program, "--no-service-principal")["failures"][0]["cause"] == (
        "no-service-principal"
    )
    assert lab_run(program, "--mailbox-right", "smtp:" + USER)["passed"]
