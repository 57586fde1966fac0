"""Whether a name says it holds a password or an app's OAuth2 secret (``smtp_pass``,
``EMAIL_PASSWORD``, ``senha``, ``mailPwd``, ``CLIENT_SECRET``), and no word of it makes it
something else (``password_reset_url``) or another service's (``DB_PASSWORD``). A leaf:
the secret literals of a module and the constants imported from others ask it.
"""

from __future__ import annotations

from ..lazy_regex import lazy_pattern
from ..placeholder_words import PASSWORD_WORDS, joined

# The words for "password" (:mod:`..placeholder_words`), run together, and the ways
# identifiers shorten it.
_PASSWORD_WORDS = joined(PASSWORD_WORDS) | {"passw", "pword"}
# Pairs of words that name an OAuth2 secret of the mail code's app.
_SECRET_PAIRS = (("client", "secret"), ("refresh", "token"), ("app", "secret"))
# Words that make a password-named thing something else than the password itself.
_NOT_THE_SECRET = frozenset(
    {
        "hash", "hashed", "salt", "field", "label", "prompt", "reset", "url", "uri", "path",
        "file", "dir", "length", "len", "min", "max", "regex", "re", "pattern", "validator",
        "validators", "validation", "policy", "policies", "input", "hint", "message", "msg",
        "text", "placeholder", "widget", "confirm", "confirmation", "mask", "env", "var",
        "variable", "name", "key", "setting", "settings", "column", "col", "attr", "param",
        "header", "selector", "xpath", "css", "id", "button", "box", "form", "error",
        "errors", "help", "title", "format", "chars", "charset", "expiry", "expires",
        "expiration", "age", "changed", "required", "strength", "rule", "rules", "type",
        "mode", "enabled", "command", "cmd", "store", "manager", "vault", "template",
        "count", "attempts", "retries", "timeout", "through", "endpoint", "class",
        "method", "question", "sha", "md5", "bcrypt", "argon", "algorithm", "hasher",
        "hashers", "view", "api", "dialog",
    }
)  # fmt: skip
# Words that name another service's password: a database's, a file's, a network's
# (``DB_PASSWORD``, ``MYSQL_ROOT_PASSWORD``, ``FTP_PASS``, ``WIFI_PASSWORD``,
# ``ZIP_PASSWORD``). A mail script may hold them too; they are secrets, not mail ones
# (AS105 is about mail), unless a login shows otherwise (then the login's step says so).
OTHER_SERVICES = frozenset(
    {
        "db", "database", "mysql", "mariadb", "postgres", "postgresql", "pg", "psql",
        "sql", "mssql", "sqlserver", "oracle", "mongo", "mongodb", "redis", "rabbitmq",
        "amqp", "mqtt", "kafka", "elastic", "elasticsearch", "ftp", "ftps", "sftp", "ssh",
        "vnc", "rdp", "vpn", "wifi", "wlan", "ssid", "router", "camera", "zip", "rar",
        "archive", "pdf", "excel", "xlsx", "docx", "keystore", "truststore", "pfx", "p12",
        "jks", "cert", "certificate", "pem", "gpg", "pgp", "jenkins", "docker", "registry",
        "root", "sudo", "databases", "cache", "caches", "broker", "celery", "storage",
        "storages", "s3", "sentry",
    }
)  # fmt: skip
# The words of a name. After a word's capital: a-z or U+00C0 to U+FFFF, written as "not
# below U+00C0 nor above U+FFFF": a class range ending at U+FFFF is compiled into a table
# of 65,536 characters (about 5 ms in every run that reads a name), one past it is not.
WORD = lazy_pattern(r"[A-Z]+(?![a-z])|[A-Z]?(?:[a-z]|[^\x00-\xbf\U00010000-\U0010ffff])+|\d+")


def secret_name(name: str) -> bool:
    """Whether an identifier or key names a password or an OAuth2 secret of the app."""
    words = [word.lower() for word in WORD.findall(name)]
    if not words or any(word in _NOT_THE_SECRET or word in OTHER_SERVICES for word in words):
        return False
    if any(word in _PASSWORD_WORDS for word in words):
        return True
    return any(a in words and b in words for a, b in _SECRET_PAIRS)


def password_name(name: str) -> bool:
    """Whether an identifier or key names a password (``SMTP_PASSWORD``, ``mail_pwd``), not
    an app's OAuth2 secret or another service's password."""
    words = [word.lower() for word in WORD.findall(name)]
    return not any(word in _NOT_THE_SECRET or word in OTHER_SERVICES for word in words) and any(
        word in _PASSWORD_WORDS for word in words
    )


# Words that name Microsoft's mail services (``office365``, ``o365`` are two words each).
_MICROSOFT_MAIL_WORDS = frozenset({"outlook", "hotmail", "office365", "o365"})


def microsoft_mail_password(name: str) -> bool:
    """Whether a name says it holds the password of a Microsoft mail account
    (``outlook_password``, ``O365_PASS``, ``hotmailPwd``): a mail secret by its name,
    wherever it is written, also in a module with no mail code of its own."""
    if not password_name(name):
        return False
    words = [word.lower() for word in WORD.findall(name)]
    pairs = [a + b for a, b in zip(words, words[1:], strict=False)]
    return any(word in _MICROSOFT_MAIL_WORDS for word in (*words, *pairs))
