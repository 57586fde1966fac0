"""Path findings only where the program is forced onto the path (issue 22, precision11).

A STARTTLS on an encrypted connection (AS206) is reported on a path that at most one
undecided choice of the connection's TLS leads to (an option, an error); a path that
needs two or more to go one way each is a combination the program may keep apart where
the analysis does not see it. A value the project commits, or the program's own default
(a parameter's literal default, ``cfg.get("tls", True)``), decides its test."""

from __future__ import annotations

import ast
from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.model import ProtocolPath, with_choices
from authsweep.scanner.python.path_choices import lookup_default, names_of
from authsweep.scanner.runner import check_paths

FORCED_PATHS = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "forced_paths"
PATH_RULES = ("AS203", "AS206", "AS207")


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings if f.rule in PATH_RULES}


def test_a_repeated_upgrade_two_undecided_choices_lead_to_is_not_reported() -> None:
    """Two keys of the user's settings (``security == "ssl"``, ``require_starttls``), an
    option with an error (``port == 465``, then ``SMTPNotSupportedError``), and two
    settings of a settings file (``conf.getboolean("smtp", "ssl")`` handed to a factory
    that returns ``SMTP`` early and ``SMTP_SSL`` after, ``"starttls"``), and a helper
    that upgrades, called only under another key than the one that picked implicit TLS:
    no AS206. The
    plain login before the handler's upgrade stays AS203 (one choice leads to it)."""
    assert found(FORCED_PATHS / "unforced.py") == {(29, "AS203")}


def test_a_repeated_upgrade_one_choice_or_none_leads_to_stays() -> None:
    """The nearest real bugs: on every run, whenever ``use_ssl`` is true, whenever
    ``ssl`` is set while ``tls`` keeps the program's default (``cfg.get("tls", True)``,
    ``fallback=True``), in a handler of an implicit-TLS connection's error, and in a
    helper every login calls; a plain
    login to Microsoft 365 under two options stays AS203 (it refuses AUTH on every plain
    path)."""
    assert found(FORCED_PATHS / "forced.py") == {
        (10, "AS206"),
        (17, "AS206"),
        (29, "AS206"),
        (38, "AS206"),
        (50, "AS203"),
        (64, "AS206"),
        (83, "AS206"),
    }


def test_a_test_of_values_already_tested_goes_with_that_choice() -> None:
    first = frozenset({"is_oauth", "use_ssl"})
    assert with_choices((first,), (frozenset({"is_oauth"}),)) == (first,)
    assert len(with_choices((frozenset({"ssl"}),), (frozenset({"tls", "ssl"}),))) == 2
    assert ProtocolPath((), choices=(first,)).forced
    assert not ProtocolPath((), choices=(first, frozenset({"tls"}))).forced


def test_values_a_test_reads_and_the_default_of_a_lookup() -> None:
    def names(text: str) -> frozenset[str]:
        return names_of(ast.parse(text, mode="eval").body, ast.unparse)

    def default(text: str) -> bool | None:
        return lookup_default(ast.parse(text, mode="eval").body)

    assert names('cfg["ssl"] and not cfg.get("tls")') == {"cfg['ssl']", "cfg['tls']"}
    assert names('conf.getboolean("smtp", "ssl")') == {"conf.getboolean('smtp', 'ssl')"}
    assert names("self.tls and not ssl") == {"self.tls", "ssl"}
    assert names("mode.lower() == 'ssl'") == {"mode"}
    assert default('cfg.get("tls", True)') is True
    assert default('not cfg.get("tls", True)') is False
    assert default('conf.getboolean("smtp", "starttls", fallback=False)') is False
    assert default('getattr(opts, "tls", 1)') is True
    assert default('cfg.get("tls")') is None
    assert default("use_tls") is None
