"""The ``exchange_online`` pytest fixture (registered through the ``pytest11`` entry point).

A test that asks for ``exchange_online`` gets a running :class:`~authsweep.lab.ExchangeSim`
with empty records. One lab serves the whole session; a test marked
``@pytest.mark.exchange_online(token_lifetime=2, throttle=1, ...)`` gets a lab of its own
built with those ``ExchangeSim`` arguments (``smtp_auth="disabled"``: a tenant that refuses
SMTP AUTH, where mail goes through Graph sendMail). Run the code under test with
``exchange_online.run([...])`` / ``run_python(...)`` (or in-process inside
``with exchange_online.redirect():``) and assert on ``exchange_online.verdict()`` or the
records. When such a test fails, its report gets a section with the lab's whole verdict
(pytest cuts the message of ``assert verdict.passed, verdict`` to a line or two unless
run with ``-vv``).

This module is imported by every pytest run in an environment with authsweep installed, so it
imports nothing of the lab until a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .sim import ExchangeSim

_MARKER = "exchange_online"
_LAB = pytest.StashKey["ExchangeSim"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): give this test an authsweep lab of its own, built with these "
        "ExchangeSim options (token_lifetime=, throttle=, drop=, probe_certificate=, ...)",
    )


def _lab_class() -> type[ExchangeSim]:
    try:
        # Here: the plugin loads in every pytest run, the lab's servers only for a lab test.
        from .sim import ExchangeSim
    except ImportError as error:  # the lab extra is not installed
        raise pytest.UsageError(
            "the exchange_online fixture needs the lab extra: in a clone of authsweep, "
            "python3 -m pip install '.[lab]' (README, Install) "
            f"({error})"
        ) from None
    return ExchangeSim


@pytest.fixture(scope="session")
def _authsweep_shared_lab() -> Iterator[ExchangeSim]:
    with _lab_class()() as lab:
        yield lab


@pytest.fixture
def exchange_online(request: pytest.FixtureRequest) -> Iterator[ExchangeSim]:
    """A running loopback Exchange Online; see this module's documentation."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None and (marker.args or marker.kwargs):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keyword arguments only")
        with _lab_class()(**marker.kwargs) as own:
            request.node.stash[_LAB] = own
            yield own
        return
    shared: ExchangeSim = request.getfixturevalue("_authsweep_shared_lab")
    shared.reset()
    request.node.stash[_LAB] = shared
    yield shared


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failed test that used the lab gets the lab's verdict, whole, in its report."""
    outcome = yield
    report = outcome.get_result()
    lab = item.stash.get(_LAB, None)
    if lab is not None and report.when == "call" and report.failed and lab.running:
        report.sections.append(("authsweep lab verdict", str(lab.verdict())))
