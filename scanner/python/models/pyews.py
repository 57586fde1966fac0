"""py-ews (imported as ``pyews``): ``EWS(username, password, ews_url=None, ...,
tenant_id=None, client_id=None, client_secret=None, ...)``. With an app registration's
``client_id`` it asks for an OAuth2 token; otherwise it sends the password with basic
authentication to ``ews_url`` (autodiscovered when not given)."""

from __future__ import annotations

from .spec import EwsLogin, LibraryModel

MODEL = LibraryModel(
    library="pyews",
    distribution="py-ews",
    # Worth its pass over every file (see the note on markers in spec.py): its calls
    # name no mail host or mail word.
    markers=(b"pyews",),
    ews=(
        EwsLogin(
            names=("pyews.EWS", "pyews.ews.EWS"),
            params=(
                "username",
                "password",
                "ews_url",
                "exchange_version",
                "impersonate_as",
                "multi_threading",
                "tenant_id",
                "client_id",
                "client_secret",
                "oauth2_authorization_type",
                "redirect_uri",
                "oauth2_scope",
            ),
            user="username",
            secret="password",
            url="ews_url",
            oauth2_params=("client_id",),
        ),
    ),
)
