"""The byte-level pre-check: most files of a big tree cannot matter and are never parsed.

The lower-cased raw bytes (no decoding) are searched for a mail library, a Microsoft
mail host, or a mail settings name. A file without any is skipped. Markers that
contain a shorter marker are dropped: ``smtp`` already finds ``smtp.office365.com``.

A Python module whose bytes could hide a word of its code is searched in its text too:
one that declares another encoding than UTF-8 (PEP 263; in ``utf-7``,
``unicode_escape``, ``raw_unicode_escape`` the raw bytes need not hold one ASCII word of
the code: ``+AHMAbQB0AHA-`` is ``smtp``), and one with other than ASCII bytes, in the NFKC
form Python gives identifiers (``ｓｍｔｐｌｉｂ`` is ``smtplib``).
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from .precheck_plan import MARKERS, PLAN

# Names that mean mail code or mail settings in any front end. Library adapters and
# config readers add their own through ``extra``.
_BASE_MARKERS = (
    "smtp",
    "imap",
    "poplib",
    "email_host",
    "mail_server",
    "mail_password",
    # Settings that matter without a host (AS201: implicit TLS on 587, AS205).
    "mail_port",
    "mail_use_",
    "mail_host",
    "mail_username",
    "xoauth2",
    "office365",
    "outlook",
)


# Short words many markers contain. Plain substring search for these is several times
# faster than one regular expression with every marker in it; the longer markers that
# hold one are looked for only in the few files that contain it. A family word inside
# another (``mail_`` in ``mail``) splits that family again: a fifth of Django's bytes
# say ``mail`` (``email``), and its two dozen markers were each searched there.
_FAMILY_WORDS = ("smtp", "imap", "mail", "msal", "365", "mail_", "mailer", "email")

# The protocol words, markers only where a word or a word part of its own begins: at the
# start, after other than a letter (``smtp_host``, ``"imap.``, ``.imap_unordered``), or
# in camel case after a lower-case letter (``getImapClient``). Inside a word they are
# other words' letters: Airflow's ``QueryTIMapIndexFilter`` (task instance, map index)
# sent two modules of 115 kB through the parse and the scope walk for nothing. Every
# setting key holds its prefix where a part begins (``match`` in mail_settings.keys), and
# so does a host (``smtp.``, ``imap-mail.``); the models' names that hold the word inside
# (``aiosmtplib``, ``easyimap``) are markers of their own, looked for where the word is.
_WORD_PART_MARKERS = frozenset({"smtp", "imap"})

# What to look for: words found at once (markers); for each family word that is not a
# marker, the plan of what holds it, looked at once the word is found; and for each word
# part marker, the plan of the markers that hold it inside a word, looked at when it is
# found only inside words.
Plan = tuple[tuple[bytes, ...], tuple[tuple[bytes, "Plan"], ...], tuple[tuple[bytes, "Plan"], ...]]


def _minimal(words: set[str]) -> list[str]:
    """Drop every word that contains another: finding the shorter one is enough, or for
    a word part marker, where to look for the longer one."""
    return sorted(w for w in words if not any(o != w and o in w for o in words))


def _covers(word: str, marker: str) -> bool:
    """Whether finding ``word`` is enough to find ``marker`` (lower case): it is in it, or
    for a word part marker, it begins ``marker`` or a part of it (``smtp`` of
    ``smtplib``, of ``logging.handlers.smtphandler``; not of ``aiosmtplib``)."""
    if word not in _WORD_PART_MARKERS:
        return word in marker
    at = marker.find(word)
    while at >= 0:
        if at == 0 or not marker[at - 1].isalpha():
            return True
        at = marker.find(word, at + 1)
    return False


@lru_cache(maxsize=8)
def _markers(extra: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`minimal_markers`; without ``extra``, as generated (:mod:`.precheck_plan`)."""
    return minimal_markers(extra) if extra else MARKERS


def minimal_markers(extra: tuple[str, ...]) -> tuple[str, ...]:
    """The markers, none that finding another one finds (:func:`_covers`)."""
    # start-up: the sources of the generated plan, read only to make another plan
    from .adapter_markers import ADAPTER_MARKERS
    from .providers import microsoft_host_names

    markers = {
        w.lower() for w in (*_BASE_MARKERS, *ADAPTER_MARKERS, *microsoft_host_names(), *extra)
    }
    # ``smtp`` makes ``smtplib`` needless, not ``aiosmtplib`` (:data:`_WORD_PART_MARKERS`),
    # which ``smtplib`` would drop if it were kept.
    parts = {w for w in markers if w in _WORD_PART_MARKERS}
    markers = {w for w in markers if not any(o != w and o in w and _covers(o, w) for o in parts)}
    return tuple(
        sorted(w for w in markers if not any(o != w and o in w and _covers(o, w) for o in markers))
    )


@lru_cache(maxsize=8)
def _search_plan(extra: tuple[str, ...]) -> Plan:
    """:func:`search_plan`; without ``extra``, as generated (:mod:`.precheck_plan`)."""
    return search_plan(extra) if extra else PLAN


def search_plan(extra: tuple[str, ...]) -> Plan:
    """What :func:`may_matter` looks for: markers that are short words of their own
    (``smtp``), and for each family word that is not a marker (``mail``) the plan of the
    markers that contain it (``mail_server``, under ``mail_``)."""
    return _plan(set(minimal_markers(extra)), set(_FAMILY_WORDS))


def _plan(markers: set[str], families: set[str]) -> Plan:
    anchors = _minimal(markers | families)
    direct = tuple(a.encode() for a in anchors if a in markers and a not in _WORD_PART_MARKERS)
    grouped = tuple(
        (
            word.encode(),
            _plan({m for m in markers if word in m}, {f for f in families if word in f} - {word}),
        )
        for word in anchors
        if word not in markers
    )
    parts = tuple(
        (word.encode(), _plan({m for m in markers if word in m and m != word}, set()))
        for word in anchors
        if word in markers and word in _WORD_PART_MARKERS
    )
    return direct, grouped, parts


@lru_cache(maxsize=1)
def _text_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(marker) for marker in _markers(())))


# Upper-case ASCII letters to lower case, every other character kept: one character for
# one, so offsets stay those of the text (``str.lower`` may lengthen a string).
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def marker_starts(text: str) -> Iterator[int]:
    """Where ``text`` mentions mail (a marker in any case): the offsets of the markers.
    The markers are ASCII; searching a lower-cased copy is many times faster than a
    case-insensitive pattern."""
    return (match.start() for match in _text_pattern().finditer(text.translate(_ASCII_LOWER)))


def may_matter(data: bytes, extra: tuple[str, ...] = ()) -> bool:
    """Whether the bytes, in any case, hold a marker. Each marker holds a short word, so
    a file without one (most files) is searched for a dozen short words only."""
    return _holds_marker(data, data.lower(), extra)


def _holds_marker(data: bytes, lowered: bytes, extra: tuple[str, ...] = ()) -> bool:
    return _follows(_search_plan(extra), data, lowered)


def _follows(plan: Plan, data: bytes, lowered: bytes) -> bool:
    """``data``: the bytes; ``lowered``: the same in lower case."""
    # ``find``, not ``in``: ``bytes.__contains__`` first tries its operand as an integer
    # (``65 in b"A"``), and the TypeError it makes and drops for a bytes operand cost
    # about 1,800 instructions a search, a third of a small file's search.
    find = lowered.find
    direct, grouped, parts = plan
    # Loops, not ``any`` of generators: this runs a few times for every file of a tree,
    # and each generator made costs about as much as searching a small file for a word.
    for word, inner in parts:  # first: most files that hold one end here
        if find(word) >= 0 and (
            _begins_word_part(word, data, lowered) or _follows(inner, data, lowered)
        ):
            return True
    for word in direct:
        if find(word) >= 0:
            return True
    for word, inner in grouped:
        if find(word) >= 0 and _follows(inner, data, lowered):
            return True
    return False


def _begins_word_part(word: bytes, data: bytes, lowered: bytes) -> bool:
    """Whether ``word`` is somewhere in ``lowered`` where a word or a part of one begins:
    at the start, after other than an ASCII letter, or upper case after a lower-case
    letter in ``data`` (``getImap``; not ``TIMap``, ``mysmtp``, ``ESMTP``)."""
    at = lowered.find(word)
    while at >= 0:
        if (
            at == 0
            or not lowered[at - 1 : at].isalpha()
            or (data[at - 1 : at].islower() and data[at : at + 1].isupper())
        ):
            return True
        at = lowered.find(word, at + 1)
    return False


def module_may_matter(kind: str, data: bytes, lowered: bytes | None = None) -> bool:
    """:func:`may_matter` on a file's bytes and, for a Python module whose bytes could
    hide a word of its code, on its text: decoded as it declares (PEP 263), and in the
    NFKC form Python gives identifiers (``import ｓｍｔｐｌｉｂ`` imports smtplib).
    ``lowered``: the bytes in lower case, when the caller has them already."""
    if _holds_marker(data, data.lower() if lowered is None else lowered):
        return True
    if kind != "python":
        return False
    if data.isascii() and not may_declare_encoding(data):
        return False  # UTF-8, searched as bytes already
    if utf8_by_default(data):
        encoding = "utf-8"
    else:
        # start-up: `tokenize` (about 4 M instructions) only for a module that may declare
        # an encoding or whose first lines are not UTF-8
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            return False  # an unknown codec: the front end reports the file as unparsable
    utf8 = encoding in ("utf-8", "utf-8-sig")
    if utf8 and data.isascii():
        return False
    if utf8:
        text = _non_ascii_lines(data[3:] if encoding == "utf-8-sig" else data)
    else:
        try:
            text = data.decode(encoding, errors="replace")
        except (LookupError, UnicodeError, ValueError):
            return True  # cannot be searched: the front end decides
    normal = unicodedata.normalize("NFKC", text)
    return may_matter(normal.encode("utf-8", errors="surrogatepass"))


def may_declare_encoding(data: bytes) -> bool:
    """Whether ``data`` may declare its encoding (PEP 263): only a comment of its first
    two lines that says ``coding`` can. Most modules are ASCII and declare none, and
    ``tokenize.detect_encoding`` took about 15,000 instructions to say so."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return data.find(b"coding", 0, len(data) if second < 0 else second) >= 0


def utf8_by_default(data: bytes) -> bool:
    """Whether ``tokenize.detect_encoding`` says ``utf-8`` of a module without being asked:
    its first two lines say no ``coding``, it starts with no UTF-8 byte order mark (then
    ``utf-8-sig``), and those lines (up to the second ``\n``, as it reads them) decode as
    UTF-8. With no cookie it reads the first line, and the second only after a blank or
    comment line, and says UTF-8 unless a line it read does not decode (an error, left to
    it). No character of UTF-8 spans a ``\n`` byte, so the lines decode alone as they do
    in the whole."""
    if may_declare_encoding(data):
        return False
    if data.isascii():
        return True
    if data.startswith(codecs.BOM_UTF8):
        return False
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    try:
        data[: len(data) if second < 0 else second + 1].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _non_ascii_lines(data: bytes, run: int = 2048) -> str:
    """The lines of UTF-8 ``data`` (no BOM) with other than ASCII, decoded, one ``\n``
    between each. A line end is its own NFKC form and nothing composes with it, so the NFKC
    form of a text is that of its lines, and a marker (no line end in it) is in one
    line's; an ASCII line is its own NFKC form, searched as bytes already. The lines are
    found in the bytes, not the text: a UTF-8 decoder never takes an ASCII byte into a
    character or a replacement, so a line decoded alone is that line of the decoded text,
    and decoding the whole module and checking its NFKC form cost about 15 instructions
    a character of every module with one letter beyond ASCII (bench/RESULTS.md, speed9b).
    A bad byte becomes U+FFFD, never a letter. The lines are looked at in runs of about
    ``run`` bytes that end at a line end, and only the runs with other than ASCII are
    split: most of such a module's lines are ASCII, and one ``isascii`` a line cost three
    times as much (bench/RESULTS.md, speed10b)."""
    found: list[str] = []
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start + run)
        if end < 0:
            end = size
        piece = data[start:end]
        if not piece.isascii():
            found += [
                line.decode("utf-8", errors="replace")
                for line in piece.split(b"\n")
                if not line.isascii()
            ]
        start = end + 1
    return "\n".join(found)
