"""The loopback Exchange Online simulator behaves like Microsoft 365 for real clients.

Unchanged programs run in subprocesses (smtplib, ssl, MSAL, requests), reaching the simulator
through the generated sitecustomize; in-process checks use ``ExchangeSim.redirect()``.
"""

from __future__ import annotations

import base64
import imaplib
import json
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msal
import pytest
from authsweep.lab import (
    CERT_HOSTNAMES,
    HOSTS_ENV,
    ExchangeSim,
    write_sitecustomize,
    xoauth2_string,
)

USER = "reports@contoso.com"
OUTLOOK = "https://outlook.office365.com/.default"
GRAPH = "https://graph.microsoft.com/.default"


@pytest.fixture(scope="module")
def _running_sim() -> Iterator[ExchangeSim]:
    with ExchangeSim() as sim:
        yield sim


@pytest.fixture
def sim(_running_sim: ExchangeSim) -> ExchangeSim:
    _running_sim.reset()
    return _running_sim


def _script(source: str) -> str:
    return textwrap.dedent(source).strip() + "\n"


def _token(sim: ExchangeSim, scopes: list[str], host: str = "login.microsoftonline.com") -> str:
    app = msal.ConfidentialClientApplication(
        sim.client_id,
        client_credential=sim.client_secret,
        authority=f"https://{host}/{sim.tenant_id}",
    )
    result = app.acquire_token_for_client(scopes=scopes)
    assert "access_token" in result, result
    return str(result["access_token"])


def _smtp_after_starttls(host: str = "smtp.office365.com") -> smtplib.SMTP:
    smtp = smtplib.SMTP(host, 587, timeout=10)
    smtp.starttls(context=ssl.create_default_context())
    smtp.ehlo()
    return smtp


# --------------------------------------------------------------------------- (a) - (f)

BASIC_LOGIN = _script(
    """
    import smtplib, ssl, sys
    smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
    smtp.starttls(context=ssl.create_default_context())
    try:
        smtp.login("reports@contoso.com", "Winter2024!")
    except smtplib.SMTPAuthenticationError as exc:
        print(exc.smtp_code, exc.smtp_error.decode())
        sys.exit(3)
    """
)


def test_basic_auth_login_is_refused_like_exchange_online(sim: ExchangeSim) -> None:
    proc = sim.run_python("-c", BASIC_LOGIN)
    assert proc.returncode == 3, proc.stderr
    expected = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
    assert proc.stdout.strip() == expected
    [attempt] = sim.auth_attempts
    assert (attempt.mechanism, attempt.outcome, attempt.user, attempt.tls) == (
        "LOGIN",
        "basic-auth-disabled",
        USER,
        True,
    )
    assert "Winter2024!" not in repr(sim.auth_attempts)


SMTP_SSL_ON_587 = _script(
    """
    import smtplib, ssl, sys
    try:
        smtplib.SMTP_SSL("smtp.office365.com", 587, timeout=10,
                         context=ssl.create_default_context())
    except ssl.SSLError as exc:
        print(type(exc).__name__, exc.reason)
        sys.exit(3)
    """
)


def test_implicit_tls_on_587_fails_with_an_ssl_error(sim: ExchangeSim) -> None:
    proc = sim.run_python("-c", SMTP_SSL_ON_587)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.split() == ["SSLError", "WRONG_VERSION_NUMBER"]


def test_login_before_starttls_is_not_possible(sim: ExchangeSim) -> None:
    with sim.redirect():
        smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
        try:
            smtp.ehlo()
            assert smtp.has_extn("starttls") and not smtp.has_extn("auth")
            with pytest.raises(smtplib.SMTPNotSupportedError):
                smtp.login(USER, "Winter2024!")
            assert smtp.docmd("AUTH", "LOGIN") == (504, b"5.7.4 Unrecognized authentication type")
            code, reply = smtp.docmd("MAIL", f"FROM:<{USER}>")
            assert (code, reply) == (530, b"5.7.57 Client not authenticated to send mail")
        finally:
            smtp.close()
    assert [(a.outcome, a.detail, a.tls) for a in sim.auth_attempts] == [
        ("unrecognized-mechanism", "before-starttls", False)
    ]


MIGRATED_SENDER = _script(
    """
    import os, smtplib, ssl
    from email.message import EmailMessage
    import msal

    app = msal.ConfidentialClientApplication(
        os.environ["AZURE_CLIENT_ID"],
        client_credential=os.environ["AZURE_CLIENT_SECRET"],
        authority="https://login.microsoftonline.com/" + os.environ["AZURE_TENANT_ID"],
    )
    result = app.acquire_token_for_client(scopes=["https://outlook.office365.com/.default"])
    token = result["access_token"]

    msg = EmailMessage()
    msg["From"] = "reports@contoso.com"
    msg["To"] = "ops@example.com"
    msg["Subject"] = "Nightly report"
    msg.set_content("All green.")
    with smtplib.SMTP("smtp.office365.com", 587, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
        smtp.auth(
            "XOAUTH2",
            lambda challenge=None: f"user=reports@contoso.com\\x01auth=Bearer {token}\\x01\\x01",
        )
        smtp.send_message(msg)
    print("sent")
    """
)


@pytest.mark.slow
def test_xoauth2_with_an_msal_token_delivers(sim: ExchangeSim) -> None:
    proc = sim.run_python("-c", MIGRATED_SENDER)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "sent"
    [message] = sim.messages
    assert (message.mail_from, message.rcpt_tos, message.user) == (
        USER,
        ("ops@example.com",),
        USER,
    )
    assert message.message["Subject"] == "Nightly report"
    assert message.tls_version in ("TLSv1.2", "TLSv1.3")
    [token] = sim.issued_tokens
    assert (token.scope, token.client_id, token.authority_host) == (
        OUTLOOK,
        sim.client_id,
        "login.microsoftonline.com",
    )
    [attempt] = sim.auth_attempts
    assert (attempt.mechanism, attempt.outcome, attempt.user) == ("XOAUTH2", "accepted", USER)
    # MSAL really went through OIDC discovery before the client-credentials POST
    paths = [(method, path.split("?")[0]) for method, _host, path in sim.http_requests]
    assert (
        "GET",
        f"/{sim.tenant_id}/v2.0/.well-known/openid-configuration",
    ) in paths
    assert paths[-1] == ("POST", f"/{sim.tenant_id}/oauth2/v2.0/token")


def test_double_base64_and_graph_tokens_are_rejected(sim: ExchangeSim) -> None:
    with sim.redirect():
        outlook_token = _token(sim, [OUTLOOK])
        graph_token = _token(sim, [GRAPH])
        double = base64.b64encode(xoauth2_string(USER, outlook_token).encode()).decode()
        for authobject in (
            lambda challenge=None: double,
            lambda challenge=None: xoauth2_string(USER, graph_token),
        ):
            smtp = _smtp_after_starttls()
            try:
                with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
                    smtp.auth("XOAUTH2", authobject)
                assert caught.value.smtp_code == 535
                # Microsoft's documented reply names the front end: "... [SN2PR00CA0018...]"
                assert caught.value.smtp_error.startswith(b"5.7.3 Authentication unsuccessful [")
            finally:
                smtp.close()
    details = [(a.outcome, a.detail) for a in sim.auth_attempts]
    assert details == [
        ("rejected", "double-base64"),
        ("rejected", f"wrong-audience https://graph.microsoft.com (scope {GRAPH})"),
    ]
    assert sim.messages == []


def test_zero_arg_authobject_breaks_on_the_challenge_path(sim: ExchangeSim) -> None:
    token = sim.issue_token()
    raw = xoauth2_string(USER, token)
    with sim.redirect():
        smtp = _smtp_after_starttls()
        try:
            with pytest.raises(TypeError, match="positional argument"):
                smtp.auth("XOAUTH2", lambda: raw, initial_response_ok=False)  # type: ignore[arg-type,misc]
        finally:
            smtp.close()
        # the same challenge path works with an authobject that takes the challenge
        smtp = _smtp_after_starttls()
        try:
            code, _ = smtp.auth("XOAUTH2", lambda challenge=None: raw, initial_response_ok=False)
            assert code == 235
        finally:
            smtp.quit()
    _wait_for(lambda: len(sim.auth_attempts) == 2)
    assert sorted(a.outcome for a in sim.auth_attempts) == ["aborted", "accepted"]


# --------------------------------------------------------------------------- more behaviour


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Server threads record asynchronously after a client hangs up; wait briefly."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def test_auth_must_follow_a_fresh_ehlo_after_starttls(sim: ExchangeSim) -> None:
    """STARTTLS resets the session: AUTH without a new EHLO is not taken, MAIL gets 5.7.57."""
    token = sim.issue_token()
    with sim.redirect():
        smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
        try:
            smtp.starttls(context=ssl.create_default_context())
            # smtplib treats 503 as success, as Airflow did (apache/airflow#62775) ...
            code, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))
            assert code == 503
            # ... and the message is then refused
            with pytest.raises(smtplib.SMTPSenderRefused) as caught:
                smtp.sendmail(USER, ["ops@example.com"], b"Subject: x\r\n\r\nx\r\n")
            assert caught.value.smtp_code == 530
            assert caught.value.smtp_error.startswith(b"5.7.57")
        finally:
            smtp.close()


def test_send_as_another_address_is_refused(sim: ExchangeSim) -> None:
    token = sim.issue_token()
    with sim.redirect():
        smtp = _smtp_after_starttls()
        try:
            smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))
            with pytest.raises(smtplib.SMTPSenderRefused) as caught:
                smtp.sendmail("ceo@contoso.com", ["ops@example.com"], b"Subject: x\r\n\r\nx\r\n")
            assert caught.value.smtp_code == 550
            assert caught.value.smtp_error.startswith(b"5.7.60")
        finally:
            smtp.quit()


def test_token_endpoint_errors_reach_msal(sim: ExchangeSim) -> None:
    authority = f"https://login.microsoftonline.com/{sim.tenant_id}"
    with sim.redirect():
        wrong_secret = msal.ConfidentialClientApplication(
            sim.client_id, client_credential="not-the-secret", authority=authority
        ).acquire_token_for_client(scopes=[OUTLOOK])
        app = msal.ConfidentialClientApplication(
            sim.client_id, client_credential=sim.client_secret, authority=authority
        )
        delegated = app.acquire_token_for_client(scopes=["https://outlook.office.com/SMTP.Send"])
        wrong_cloud = app.acquire_token_for_client(scopes=["https://outlook.office365.us/.default"])
        with pytest.raises(ValueError, match="Unable to get authority configuration"):
            msal.ConfidentialClientApplication(
                sim.client_id,
                client_credential=sim.client_secret,
                authority="https://login.microsoftonline.com/no-such-tenant.example",
            )
    assert wrong_secret["error"] == "invalid_client"
    assert "AADSTS7000215" in wrong_secret["error_description"]
    assert delegated["error"] == "invalid_scope"
    assert "AADSTS1002012" in delegated["error_description"]
    assert wrong_cloud["error"] == "invalid_resource"
    assert sim.issued_tokens == []


def test_us_government_cloud_end_to_end(sim: ExchangeSim) -> None:
    with sim.redirect():
        token = _token(sim, ["https://outlook.office365.us/.default"], "login.microsoftonline.us")
        smtp = _smtp_after_starttls("smtp.office365.us")
        try:
            code, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))
            assert code == 235
            smtp.sendmail(USER, ["ops@example.com"], b"Subject: gov\r\n\r\nx\r\n")
        finally:
            smtp.quit()
    assert sim.issued_tokens[0].cloud == "usgov"
    assert sim.messages[0].message["Subject"] == "gov"


def test_imap_refuses_login_and_accepts_xoauth2(sim: ExchangeSim) -> None:
    token = sim.issue_token()
    with sim.redirect():
        ctx = ssl.create_default_context()
        imap = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ctx)
        try:
            assert "AUTH=XOAUTH2" in imap.capabilities
            with pytest.raises(imaplib.IMAP4.error, match="LOGIN failed."):
                imap.login(USER, "Winter2024!")
        finally:
            imap.shutdown()
        imap = imaplib.IMAP4_SSL("outlook.office365.com", 993, ssl_context=ctx)
        assert imap.authenticate("XOAUTH2", lambda _: xoauth2_string(USER, token))[0] == "OK"
        assert imap.select("INBOX") == ("OK", [b"0"])
        assert imap.logout()[0] == "BYE"
    assert [(a.protocol, a.mechanism, a.outcome) for a in sim.auth_attempts] == [
        ("imap", "LOGIN", "basic-auth-disabled"),
        ("imap", "XOAUTH2", "accepted"),
    ]


# --------------------------------------------------------------------------- plumbing

CA_CHECK = _script(
    """
    import json, socket, ssl
    ctx = ssl.create_default_context()
    issuers = [dict(x[0] for x in c["subject"]).get("organizationName")
               for c in ctx.get_ca_certs()]
    try:
        with socket.create_connection(("login.microsoftonline.com", 443), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="login.microsoftonline.com") as tls:
                verified = tls.version()
    except ssl.SSLCertVerificationError as exc:
        verified = exc.reason
    print(json.dumps({"issuers": issuers, "verified": verified}))
    """
)


def test_subprocess_default_context_trusts_only_via_ssl_cert_file(sim: ExchangeSim) -> None:
    trusted = json.loads(sim.run_python("-c", CA_CHECK).stdout)
    assert "authsweep Exchange simulator" in trusted["issuers"]
    assert trusted["verified"] in ("TLSv1.2", "TLSv1.3")

    env = sim.subprocess_env()
    env["SSL_CERT_FILE"] = str(Path(__file__))  # no CA in it: the sim cert must not verify
    env.pop("SSL_CERT_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", CA_CHECK], env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(proc.stdout)["verified"] == "CERTIFICATE_VERIFY_FAILED"


STRICT_DNS = _script(
    """
    import json, socket
    out = {}
    for host, port in [("smtp.office365.com", 465), ("example.com", 443),
                       ("smtp.office365.com", 587), ("localhost", 9)]:
        try:
            out[f"{host}:{port}"] = socket.getaddrinfo(host, port)[0][4][0]
        except socket.gaierror as exc:
            out[f"{host}:{port}"] = "gaierror"
    print(json.dumps(out))
    """
)


def test_redirected_process_cannot_reach_the_internet(sim: ExchangeSim) -> None:
    proc = sim.run_python("-c", STRICT_DNS)
    assert proc.returncode == 0, proc.stderr
    resolved = json.loads(proc.stdout)
    assert resolved["smtp.office365.com:465"] == "gaierror"
    assert resolved["example.com:443"] == "gaierror"
    assert resolved["smtp.office365.com:587"] == "127.0.0.1"
    assert resolved["localhost:9"] in ("127.0.0.1", "::1")


def test_certificate_names_and_sitecustomize(tmp_path: Path, sim: ExchangeSim) -> None:
    for name in ("smtp.office365.com", "login.microsoftonline.com", "login.chinacloudapi.cn"):
        assert name in CERT_HOSTNAMES
    path = write_sitecustomize(tmp_path)
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert HOSTS_ENV in path.read_text(encoding="utf-8")
    assert sim.host_map["smtp.office365.com:587"] == sim.smtp_port
    assert sim.host_map["login.microsoftonline.com:443"] == sim.https_port


def test_an_existing_sitecustomize_still_runs(tmp_path: Path, sim: ExchangeSim) -> None:
    (tmp_path / "sitecustomize.py").write_text("import os\nos.environ['CHAINED'] = 'yes'\n")
    env = sim.subprocess_env()
    env["PYTHONPATH"] += os.pathsep + str(tmp_path)
    code = "import os, socket; print(os.environ.get('CHAINED'), socket.getaddrinfo("
    code += "'login.microsoftonline.com', 443)[0][4][1])"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.split() == ["yes", str(sim.https_port)], proc.stderr


def test_stop_is_clean_even_with_open_connections() -> None:
    before = set(threading.enumerate())
    sim = ExchangeSim().start()
    ports = (sim.smtp_port, sim.https_port, sim.imap_port)
    workdir = sim.sitecustomize_dir
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for port in ports]
    idle[0].recv(1024)  # SMTP greeting: the session is really open
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 5
    for conn in idle:
        conn.close()
    assert set(threading.enumerate()) <= before
    assert not workdir.exists()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    sim.stop()  # idempotent
