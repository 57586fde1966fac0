"""What the lab simulates: the Microsoft 365 host names, their ports and TLS modes, the clouds.

Every (host, port) pair gets a loopback listener of its own, so the servers know which name
and port a client dialled even on a connection that never starts TLS (no SNI to read).
"""

from __future__ import annotations

from dataclasses import dataclass

SMTP_HOSTS: tuple[str, ...] = (
    "smtp.office365.com",
    "smtp-mail.outlook.com",
    "smtp.office365.us",
    "smtp.partner.outlook.cn",
)
"""SMTP client-submission hosts (ports 587 and 25, plain greeting then STARTTLS)."""

MAILBOX_HOSTS: tuple[str, ...] = (
    "outlook.office365.com",
    "outlook.office.com",
    "outlook.office365.us",
    "partner.outlook.cn",
)
"""IMAP (993, implicit TLS) and POP3 (995 implicit TLS, 110 then STLS) hosts."""

IMAP_HOSTS = MAILBOX_HOSTS
POP3_HOSTS = MAILBOX_HOSTS

LOGIN_HOSTS: tuple[str, ...] = (
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
)
"""Microsoft identity platform hosts, served by the token endpoint on port 443."""

GRAPH_HOSTS: tuple[str, ...] = (
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
)
"""Microsoft Graph hosts (sendMail), served on port 443."""

CERT_HOSTNAMES: tuple[str, ...] = tuple(
    dict.fromkeys(
        (*SMTP_HOSTS, *MAILBOX_HOSTS, *LOGIN_HOSTS, *GRAPH_HOSTS, "localhost", "127.0.0.1")
    )
)
"""Every name (and the one IP) the servers' certificate is valid for."""

SMTP_PORTS = (587, 25)
IMAP_PORTS = (993,)
POP3_PORTS = (995, 110)
IMPLICIT_TLS_PORTS = frozenset({993, 995, 443})


@dataclass(frozen=True)
class Endpoint:
    """One Microsoft host name and port as a client dials it."""

    protocol: str  # "smtp" | "imap" | "pop3" | "https"
    host: str
    port: int

    @property
    def implicit_tls(self) -> bool:
        """True where the first bytes are a TLS handshake (993, 995, 443); else STARTTLS/STLS."""
        return self.port in IMPLICIT_TLS_PORTS

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}"


def mail_endpoints(*, imap: bool = True, pop3: bool = True) -> list[Endpoint]:
    """The SMTP, IMAP and POP3 endpoints, each of which gets its own loopback listener."""
    endpoints = [Endpoint("smtp", host, port) for host in SMTP_HOSTS for port in SMTP_PORTS]
    if imap:
        endpoints += [Endpoint("imap", host, port) for host in IMAP_HOSTS for port in IMAP_PORTS]
    if pop3:
        endpoints += [Endpoint("pop3", host, port) for host in POP3_HOSTS for port in POP3_PORTS]
    return endpoints


EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"  # "Office 365 Exchange Online"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"  # "Microsoft Graph"


@dataclass(frozen=True)
class Cloud:
    name: str
    login_hosts: tuple[str, ...]
    exchange: tuple[str, ...]  # resources whose tokens Exchange accepts for SMTP/IMAP/POP
    other: tuple[str, ...]  # other well-known resources of this cloud (tokens issued, not valid)
    graph: tuple[str, ...] = ()  # resources whose tokens this cloud's Graph accepts


CLOUDS: tuple[Cloud, ...] = (
    Cloud(
        "public",
        ("login.microsoftonline.com", "login.microsoft.com", "login.windows.net"),
        ("https://outlook.office365.com", "https://outlook.office.com", EXCHANGE_APP_ID),
        ("https://graph.microsoft.com", "https://ps.outlook.com", "https://management.azure.com"),
        ("https://graph.microsoft.com", GRAPH_APP_ID),
    ),
    Cloud(
        "usgov",
        ("login.microsoftonline.us",),
        ("https://outlook.office365.us",),
        ("https://graph.microsoft.us", "https://dod-graph.microsoft.us"),
        ("https://graph.microsoft.us", "https://dod-graph.microsoft.us"),
    ),
    Cloud(
        "china",
        ("login.chinacloudapi.cn", "login.partner.microsoftonline.cn"),
        ("https://partner.outlook.cn",),
        ("https://microsoftgraph.chinacloudapi.cn",),
        ("https://microsoftgraph.chinacloudapi.cn",),
    ),
)


def cloud_for_login_host(host: str) -> Cloud:
    for cloud in CLOUDS:
        if host in cloud.login_hosts:
            return cloud
    return CLOUDS[0]  # loopback / unknown host names: behave like the public cloud


def cloud_by_name(name: str) -> Cloud:
    return next(cloud for cloud in CLOUDS if cloud.name == name)


def cloud_for_graph_host(host: str) -> Cloud:
    """The cloud a Graph host name belongs to (loopback and unknown names: the public one)."""
    for cloud in CLOUDS:
        if f"https://{host}" in cloud.graph:
            return cloud
    return CLOUDS[0]
