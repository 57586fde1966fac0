"""Secrets: recognising placeholders, and masking real values in every output."""

from __future__ import annotations

import re

# Not a secret: references to other settings, templates, vault lookups, and the words
# people write in example files ("your-app-password-here", "my_password", "[PASSWORD]").
_PLACEHOLDER = re.compile(
    r"""^(\$\{.*\}|\$[A-Za-z_]\w*|\{\{.*\}\}|%\(.*\)s|<.*>|\[.*\]|vault:.*|!vault.*|secret:.*
        |(?i:(?:your|my|the|some|example|sample|dummy|fake|test|app)?[-_ .]?
              (?:app[-_ ]?)?(?:password|passwd|pass|pwd|secret|token|client[-_ ]?secret|key)
              (?:[-_ .]?(?:here|goes[-_ ]here|placeholder|123|1234))?
            |(?:your|my)[-_ ].*|.*[-_ ]here|changeme|change[-_]?me|replace[-_]?me|xxx+|\*+
            |\.\.\.|todo|tbd|none|null|password\d*|secret\d*|example|sample|dummy|fake))$""",
    re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


def mask(value: str) -> str:
    """``"Wi*********"``: at most two characters shown, never more than a quarter."""
    shown = min(2, len(value) // 4)
    return repr(value[:shown] + "*" * max(len(value) - shown, 3))


def mask_literal(source: str) -> str:
    """Mask a secret as written in source (quotes and prefixes kept): ``'Wi*******'``."""
    quote_at = next((i for i, c in enumerate(source) if c in "'\""), None)
    if quote_at is None:
        return mask(source)[1:-1]
    prefix, body = source[:quote_at], source[quote_at:]
    quote = body[0] * (3 if body[:3] in ('"""', "'''") else 1)
    inner = body[len(quote) : len(body) - len(quote)] if body.endswith(quote) else body[1:]
    return f"{prefix}{quote}{mask(inner)[1:-1]}{quote}"
