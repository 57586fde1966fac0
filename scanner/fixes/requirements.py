"""Version constraints as projects write them, and whether one allows what a fix needs.

The code a fix writes needs distributions at a minimum version (``msal>=1.23``,
``aiosmtplib>=5.1``, whose ``oauth_token_generator`` came in 5.1). A project declares
its own constraint for them in PEP 440 form (``aiosmtplib>=2,<6``, ``==3.0.2``,
``~=3.0``, ``==3.*``) or Poetry's (``^3.0``, ``~3.0``, ``*``). Release numbers are
compared as tuples of integers; pre- and post-release parts do not matter here.
"""

from __future__ import annotations

import re

from ..records import record

Version = tuple[int, ...]
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*")
_CLAUSE = re.compile(r"\s*(===|==|!=|~=|>=|<=|>|<|\^|~)?\s*([0-9][0-9A-Za-z.*+!-]*|\*)\s*")


@record
class Requirement:
    """A distribution at a minimum version: ``aiosmtplib>=5.1``."""

    name: str
    minimum: Version

    @classmethod
    def parse(cls, text: str) -> Requirement:
        name, specifier = split(text)
        lower, _ = bounds(specifier) or ((), None)
        return cls(normalize(name), lower[0][0] if lower else ())

    @property
    def text(self) -> str:
        version = ".".join(str(n) for n in self.minimum)
        return f"{self.name}>={version}" if version else self.name


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split(requirement: str) -> tuple[str, str]:
    """``aiosmtplib[x]>=2 ; python_version>'3'`` -> (``aiosmtplib``, ``>=2``)."""
    found = _NAME.match(requirement)
    if found is None:
        return requirement.strip(), ""
    rest = requirement[found.end() :].split(";", 1)[0].split("#", 1)[0]
    return found.group(1), rest.strip().strip("()").strip()


def version(text: str) -> Version:
    parts: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.end() < len(piece):
            break
    return tuple(parts)


def _bump(release: Version, at: int) -> Version:
    """The first version past ``release`` at position ``at`` (``3.1`` at 0 -> ``4``)."""
    at = max(0, min(at, len(release) - 1))
    return (*release[:at], release[at] + 1)


Bound = tuple[Version, bool]  # a version, and whether it is allowed itself


def bounds(specifier: str) -> tuple[list[Bound], Bound | None] | None:
    """The lower bounds and the tightest upper bound a specifier sets; None when it is
    not understood."""
    lower: list[Bound] = []
    upper: Bound | None = None

    def cap(bound: Bound) -> None:
        nonlocal upper
        if upper is None or bound[0] < upper[0] or (bound[0] == upper[0] and not bound[1]):
            upper = bound

    for clause in (c for c in specifier.split(",") if c.strip()):
        found = _CLAUSE.fullmatch(clause)
        if found is None:
            return None
        operator, written = found.group(1) or "==", found.group(2)
        if written == "*":
            continue
        release = version(written.rstrip(".*"))
        if not release:
            return None
        if operator in ("==", "==="):
            if written.endswith(".*"):
                lower.append((release, True))
                cap((_bump(release, len(release) - 1), False))
            else:
                lower.append((release, True))
                cap((release, True))
        elif operator in (">=", ">"):
            lower.append((release, operator == ">="))
        elif operator in ("<=", "<"):
            cap((release, operator == "<="))
        elif operator == "~=":
            lower.append((release, True))
            cap((_bump(release, len(release) - 2), False))
        elif operator == "^":  # Poetry: up to the next change of the first non-zero part
            lower.append((release, True))
            first = next((i for i, n in enumerate(release) if n), len(release) - 1)
            cap((_bump(release, first), False))
        elif operator == "~":  # Poetry: ~1.2 up to 1.3, ~1 up to 2
            lower.append((release, True))
            cap((_bump(release, 1 if len(release) > 1 else 0), False))
    lower.sort(reverse=True)
    return lower, upper


def allows(specifier: str, minimum: Version) -> bool | None:
    """Whether a version at or above ``minimum`` meets the specifier (None: not
    understood)."""
    found = bounds(specifier)
    if found is None:
        return None
    _, upper = found
    if upper is None:
        return True
    top, inclusive = _padded(upper[0]), upper[1]
    return _padded(minimum) < top or (inclusive and _padded(minimum) == top)


def _padded(release: Version) -> Version:
    return (*release, *(0,) * (4 - len(release)))


def raised(specifier: str, minimum: Version) -> str | None:
    """The specifier with its lower bound raised to ``minimum`` (its upper bounds and
    exclusions kept), or None when it already asks for that much."""
    found = bounds(specifier)
    if found is None:
        return None
    lower, upper = found
    if lower and _padded(lower[0][0]) >= _padded(minimum):
        return None
    kept = [">=" + ".".join(str(n) for n in minimum)]
    implicit_upper = False
    for clause in (c.strip() for c in specifier.split(",") if c.strip()):
        match = _CLAUSE.fullmatch(clause)
        operator = (match.group(1) if match else None) or "=="
        if operator in ("<", "<=", "!="):
            kept.append(clause.replace(" ", ""))
        elif operator in ("~=", "^", "~") or clause.endswith("*"):
            implicit_upper = True
    if implicit_upper and upper is not None:
        top = ".".join(str(n) for n in upper[0])
        kept.append(("<=" if upper[1] else "<") + top)
    return ",".join(dict.fromkeys(kept))
