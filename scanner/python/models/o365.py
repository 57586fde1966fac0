"""O365 (python-o365): Microsoft Graph with OAuth2. ``Account(credentials, *,
username=None, protocol=None, main_resource=None, **kwargs)`` passes ``auth_flow_type``
and ``password`` to its connection: ``auth_flow_type='password'`` asks MSAL for a token
with the user's password (ROPC), which fails under MFA and is no migration."""

from __future__ import annotations

from .spec import LibraryModel, PasswordGrant

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
)
