"""Faults the lab injects (throttling, a dropped connection, an untrusted certificate) and
Exchange's concurrency limit, with real smtplib clients; the verdict names each cause."""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable

import pytest
import trustme
from authsweep.lab import ExchangeSim, xoauth2_string

USER = "reports@contoso.com"
MESSAGE = b"Subject: Disk alert\r\n\r\nDisk 91% full.\r\n"


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Server threads record after the client hangs up; wait briefly."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def _session(lab: ExchangeSim, context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    smtp = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
    smtp.starttls(context=context or ssl.create_default_context())
    smtp.ehlo()
    return smtp


def _authenticate(lab: ExchangeSim, smtp: smtplib.SMTP) -> None:
    token = lab.issue_token()
    smtp.auth("XOAUTH2", lambda challenge=None: xoauth2_string(USER, token))


def _send_with_retries(lab: ExchangeSim, attempts: int) -> list[str]:
    """A sender that retries transient failures, as Microsoft asks; the errors it saw."""
    errors = []
    for _ in range(attempts):
        smtp = _session(lab)
        try:
            _authenticate(lab, smtp)
            smtp.sendmail(USER, ["oncall@contoso.com"], MESSAGE)
            smtp.quit()
            return errors
        except (smtplib.SMTPResponseException, smtplib.SMTPServerDisconnected) as error:
            errors.append(f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip())
        finally:
            smtp.close()
    return errors


def test_throttled_sender_that_retries_is_recovered() -> None:
    with ExchangeSim(throttle=1) as lab, lab.redirect():
        assert _send_with_retries(lab, attempts=2) == ["SMTPAuthenticationError 421"]
        _wait_for(lambda: all(c.closed_at for c in lab.connections))
        verdict = lab.verdict()
    [throttled] = verdict.failures
    assert throttled.failure.reply.startswith("421 4.7.0 Temporary server error. Please try again")
    assert (throttled.failure.cause, throttled.cause.transient, throttled.recovered) == (
        "throttled",
        True,
        True,
    )
    assert verdict.passed
    assert verdict.summary == "PASS: 1 message delivered; recovered from 1 transient failure"
    assert lab.connections[0].ended == "closed by the server"


def test_dropped_connection_without_a_retry_fails_and_says_why() -> None:
    with ExchangeSim(drop=1) as lab, lab.redirect():
        assert _send_with_retries(lab, attempts=1) == ["SMTPServerDisconnected"]
        _wait_for(lambda: all(c.closed_at for c in lab.connections))
        verdict = lab.verdict()
        assert _send_with_retries(lab, attempts=1) == []  # the fault bites once
    [dropped] = verdict.failures
    assert (dropped.failure.cause, dropped.failure.detail, dropped.recovered) == (
        "dropped",
        "at MAIL FROM",
        False,
    )
    assert not verdict.passed
    assert "Reconnect and retry" in dropped.cause.remedy


def test_a_fourth_concurrent_session_of_a_mailbox_gets_432() -> None:
    """Exchange: "up to three concurrent connections are allowed to send email messages at
    the same time"; the fourth gets 432 4.3.2 after its data, and may retry later."""
    with ExchangeSim() as lab, lab.redirect():
        sessions = [_session(lab) for _ in range(4)]
        try:
            for smtp in sessions:
                _authenticate(lab, smtp)
            with pytest.raises(smtplib.SMTPDataError) as caught:
                sessions[3].sendmail(USER, ["ops@contoso.com"], MESSAGE)
            assert caught.value.smtp_code == 432
            assert caught.value.smtp_error.startswith(b"4.3.2 Concurrent connections limit")
            sessions.pop(0).quit()
            _wait_for(lambda: lab.connections[0].closed_at is not None)
            sessions[2].sendmail(USER, ["ops@contoso.com"], MESSAGE)  # three left: accepted
        finally:
            for smtp in sessions:
                smtp.close()
        verdict = lab.verdict()
    assert [(f.failure.cause, f.recovered) for f in verdict.failures] == [
        ("concurrent-limit", True)
    ]
    assert len(lab.messages) == 1


def test_certificate_probe_tells_a_checking_client_from_a_trusting_one() -> None:
    with ExchangeSim(probe_certificate=True) as lab, lab.redirect():
        with pytest.raises(ssl.SSLCertVerificationError):
            _session(lab)  # verifies: refuses the unknown CA
        _wait_for(lambda: lab.connections[0].certificate == "verified")
        checking = lab.verdict()

        trusting = smtplib.SMTP("smtp.office365.com", 587, timeout=10)
        trusting.starttls()  # smtplib's default context checks nothing
        trusting.quit()
        _wait_for(lambda: all(c.closed_at for c in lab.connections))
        both = lab.verdict()
    assert checking.passed
    assert checking.summary == "PASS: every TLS connection refused an untrusted certificate (1)"
    assert [(c.certificate, c.tls_error) for c in lab.connections] == [
        ("verified", "TLSV1_ALERT_UNKNOWN_CA"),
        ("not-verified", None),
    ]
    assert not both.passed
    [unchecked] = both.failures
    assert (unchecked.failure.cause, unchecked.failure.connection, str(unchecked.cause.rule)) == (
        "certificate-not-verified",
        2,
        "AS204 unverified-tls",
    )


def test_a_client_with_its_own_ca_bundle_is_told_apart_from_a_broken_handshake() -> None:
    """Without the probe, a client that verifies against another bundle (certifi, say)
    refuses the lab's certificate: the verdict says so instead of blaming Exchange."""
    with ExchangeSim() as lab, lab.redirect():
        other = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, trusts only its own CA
        trustme.CA().configure_trust(other)
        with pytest.raises(ssl.SSLCertVerificationError):
            _session(lab, other)
        _wait_for(lambda: bool(lab.failures))
    assert [f.cause for f in lab.failures] == ["lab-ca-not-trusted"]
