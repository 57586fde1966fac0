"""O365 (python-o365): Microsoft Graph with OAuth2. ``Account(credentials, *,
username=None, protocol=None, main_resource=None, **kwargs)`` passes ``auth_flow_type``
and ``password`` to its connection: ``auth_flow_type='password'`` asks MSAL for a token
with the user's password (ROPC), which fails under MFA and is no migration. The
credentials are the app's client id, or a ``(client_id, client_secret)`` tuple: that
secret is the confidential app's own (the client-credentials flow sends mail as any
mailbox), so a literal one is a hard-coded mail secret."""

from __future__ import annotations

from .spec import AppSecret, LibraryModel, PasswordGrant

MODEL = LibraryModel(
    library="O365",
    distribution="O365",
    # Worth its pass over every file (see the note on markers in spec.py): its calls
    # name no mail host or mail word.
    markers=(b"o365",),
    grants=(
        PasswordGrant(
            names=("O365.Account", "O365.account.Account"),
            params=("credentials", "username", "protocol", "main_resource", "auth_flow_type"),
            when=("auth_flow_type", "password"),
            secret="password",
        ),
    ),
    app_secrets=(
        AppSecret(
            names=("O365.Account", "O365.account.Account"),
            params=("credentials", "username", "protocol", "main_resource"),
            secret="credentials",
            item=1,
        ),
        AppSecret(
            names=("O365.Connection", "O365.connection.Connection"),
            params=("credentials",),
            secret="credentials",
            item=1,
        ),
    ),
)
