"""What each mail protocol needs from the tenant, as data: the resource and application
permission an app-only token carries, the RBAC for Applications role that scopes it to
mailboxes (where Exchange Online has one), and how the protocol shows in the tenant's
sign-in logs. A new way to send (Microsoft Graph, issue 23) is one more entry.

Sources (docs/tenant.md cites them): Microsoft's "Authenticate an IMAP, POP or SMTP
connection using OAuth" (the Office 365 Exchange Online permissions SMTP.SendAsApp,
IMAP.AccessAsApp, POP.AccessAsApp, New-ServicePrincipal, Add-MailboxPermission), "SMTP
onboarding to App RBAC" (the role "Application SMTP.SendAsApp"; no API permission on the
app), and "Role Based Access Control for Applications in Exchange Online" (the roles
"Application Mail.Send" and "Application EWS.AccessAsApp").
"""

from __future__ import annotations

from ..records import record


@record
class Resource:
    """An API an app-only token is for."""

    name: str  # as the Entra admin center lists it under "APIs my organization uses"
    app_id: str  # the resource's application id, the same in every tenant
    scope: str  # what the client-credentials token request asks for


EXCHANGE = Resource(
    "Office 365 Exchange Online",
    "00000002-0000-0ff1-ce00-000000000000",
    "https://outlook.office365.com/.default",
)
GRAPH = Resource(
    "Microsoft Graph",
    "00000003-0000-0000-c000-000000000000",
    "https://graph.microsoft.com/.default",
)


@record
class Access:
    """What the tenant grants an app for one protocol."""

    protocol: str  # the mail model's protocol ("smtp", ...) or "graph"
    title: str
    resource: Resource
    permission: str  # the resource's application permission (app role value)
    # The RBAC for Applications role that grants the same, scoped to mailboxes; None where
    # Exchange Online has none, and the app gets the permission in Entra ID plus a mailbox
    # permission on each mailbox instead.
    rbac_role: str | None
    # Values of the Entra sign-in logs' "Client app" (clientAppUsed) for this protocol.
    sign_in_clients: tuple[str, ...] = ()


ACCESS: dict[str, Access] = {
    access.protocol: access
    for access in (
        Access(
            "smtp",
            "SMTP submission",
            EXCHANGE,
            "SMTP.SendAsApp",
            "Application SMTP.SendAsApp",
            ("Authenticated SMTP", "SMTP"),
        ),
        Access("imap", "IMAP", EXCHANGE, "IMAP.AccessAsApp", None, ("IMAP4", "IMAP")),
        Access("pop", "POP", EXCHANGE, "POP.AccessAsApp", None, ("POP3", "POP")),
        Access(
            "ews",
            "Exchange Web Services",
            EXCHANGE,
            "full_access_as_app",
            "Application EWS.AccessAsApp",
            ("Exchange Web Services",),
        ),
        Access("graph", "Microsoft Graph sendMail", GRAPH, "Mail.Send", "Application Mail.Send"),
    )
}

# Without RBAC, a mailbox permission on each mailbox (the OAuth guide's Add-MailboxPermission).
MAILBOX_RIGHT = "FullAccess"
# A From address other than the signed-in mailbox needs this (Add-RecipientPermission).
SEND_AS_RIGHT = "SendAs"


def protocol_of_client_app(client_app: str) -> str | None:
    """The protocol of a sign-in log's client app value, case and spacing aside."""
    wanted = " ".join(client_app.split()).casefold()
    for access in ACCESS.values():
        if any(wanted == name.casefold() for name in access.sign_in_clients):
            return access.protocol
    return None
