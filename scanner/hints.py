"""What each mail library offers instead of a password, for finding messages.

Shared by the front ends: Django settings read from a ``.env`` file and a Django
``get_connection()`` call point the user to the same way out.
"""

DJANGO = (
    "Django's SMTP backend cannot do OAuth2: use a custom EmailBackend that authenticates "
    "with XOAUTH2 and an MSAL token, or a Microsoft Graph backend"
)
FLASK_MAIL = (
    "Flask-Mail cannot do OAuth2: send through smtplib with XOAUTH2 and an MSAL token, or "
    "through Microsoft Graph"
)
SMTP_HANDLER = (
    "SMTPHandler has no OAuth2: subclass it and override emit() to authenticate with "
    "XOAUTH2 and an MSAL token"
)
YAGMAIL = (
    "yagmail's OAuth2 (oauth2_file) works only with Gmail: send through smtplib with "
    "XOAUTH2 and an MSAL token, or through Microsoft Graph"
)
REDMAIL = (
    "Red Mail has no OAuth2: subclass EmailSender and override get_server() to "
    "authenticate with XOAUTH2 and an MSAL token"
)
AIOSMTPLIB = (
    "aiosmtplib 5.1+ can authenticate with XOAUTH2: pass oauth_token_generator= (an async "
    "function returning an MSAL token) instead of password="
)
HOME_ASSISTANT = "the smtp integration has no OAuth2"
FASTAPI_MAIL = (
    "FastAPI-Mail has no OAuth2: send through aiosmtplib with oauth_token_generator= (an "
    "MSAL token), or through Microsoft Graph"
)
