"""The rule catalog: one module per rule, each with its docs and examples."""

from __future__ import annotations

from functools import cache

from .base import Example, Rule, RuleOptions
from .conflicting_tls_flags import ConflictingTlsFlags
from .connect_resets_session import ConnectResetsSession
from .ews_basic_auth import EwsBasicAuth
from .hardcoded_mail_secret import HardcodedMailSecret
from .imap_pop_basic_auth import ImapPopBasicAuth
from .implicit_tls_on_587 import ImplicitTlsOn587
from .login_before_starttls import LoginBeforeStarttls
from .password_token_flow import PasswordTokenFlow
from .repeated_starttls import RepeatedStarttls
from .smtp_basic_auth import SmtpBasicAuth
from .smtphandler_credentials import SmtpHandlerCredentials
from .unsupported_port import UnsupportedPort
from .unused_suppression import UnusedSuppression
from .unverified_tls import UnverifiedTls
from .wrong_token_scope import WrongTokenScope
from .xoauth2_authobject_signature import Xoauth2AuthobjectSignature
from .xoauth2_double_encoding import Xoauth2DoubleEncoding

ALL_RULES: tuple[type[Rule], ...] = (
    SmtpBasicAuth,
    ImapPopBasicAuth,
    SmtpHandlerCredentials,
    EwsBasicAuth,
    HardcodedMailSecret,
    PasswordTokenFlow,
    ImplicitTlsOn587,
    UnsupportedPort,
    LoginBeforeStarttls,
    UnverifiedTls,
    ConflictingTlsFlags,
    RepeatedStarttls,
    ConnectResetsSession,
    Xoauth2DoubleEncoding,
    WrongTokenScope,
    Xoauth2AuthobjectSignature,
    UnusedSuppression,
)

__all__ = ["ALL_RULES", "Example", "Rule", "RuleOptions", "rule_by_id", "rule_codes"]


def rule_by_id(key: str) -> type[Rule] | None:
    """A rule by id (``AS101``) or name (``smtp-basic-auth``), case-insensitive."""
    key = key.strip().lower()
    return next((r for r in ALL_RULES if key in (r.id.lower(), r.name)), None)


@cache
def rule_codes() -> dict[str, str]:
    """Each rule's id and name, in lower case, to its id: how suppression comments name
    rules (``AS101``, ``smtp-basic-auth``)."""
    return {key: rule.id for rule in ALL_RULES for key in (rule.id.lower(), rule.name)}
