"""Parsing Python source for analysis, with limits that no input can break.

The standard library's parser does the work. What it cannot take becomes a
:class:`ParseError` with the position the parser points at: syntax errors, null
bytes, undecodable text. Some input needs more than a plain ``ast.parse``:

* **deep nesting** (a generated ``x = "a" + "b" + ...`` of thousands of terms), which
  exceeds the parser's recursion limit: parsed again in a thread with a large stack
  and a higher limit (the analysis walks trees with its own stacks);
* **very large modules** (generated code of many megabytes), whose whole tree would
  cost over a gigabyte: only the top-level statements that mention mail, the imports
  and the definitions they refer to are parsed, every other character is blanked to a
  space, so each line, column and offset stays exactly where it is in the file;
* **syntax of a newer Python** than the one running (PEP 695 type parameters and
  ``type`` statements, PEP 701 f-strings, on Python 3.11): type parameter lists are
  blanked out, f-strings rewritten (:mod:`.fstrings`);
* **a statement the parser refuses** in an otherwise good module (nesting beyond the
  parser's 200 parentheses, a half-edited line): a refused line inside a block is
  replaced by ``pass`` and the rest of the block kept (:mod:`.block_repair`); else that
  top-level statement is blanked out. The rest is parsed and checked; the lines left
  out are reported as not checked.

Python 2 modules are not repaired statement by statement (nearly every ``print`` would
go): they are translated to Python 3 syntax (:mod:`.python2`); one that cannot be is
scanned by the caller with the token-level fallback. Indentation that mixes tabs and
spaces, which only Python 2 reads, is such a module too.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
import warnings
from dataclasses import field

from ..budget import MAX_ANALYSED_CHARS, TooComplex
from ..errors import ParseError
from ..lazy_regex import lazy_pattern
from ..memory import gc_paused
from ..precheck import marker_starts
from ..records import plain
from ..text import Source
from .block_repair import INCOMPLETE, multiline_spans, statement_without_bad_lines

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .python2 import Translation

# Above this many characters a module is parsed by its statements that matter.
LARGE_MODULE_CHARS = 1_000_000
# Up to this many a module read for its summary is parsed whole (as summaries' own tree).
WRAPPER_WHOLE_CHARS = 512 * 1024
# Above this many (and up to the above), it is parsed a few top-level statements at a
# time (the same tree): a whole parse of a 374 kB test module took 30 MB at its peak.
STATEMENTWISE_CHARS = 200_000
# Statements are parsed in runs of at least this many characters; a run cut inside a
# statement is parsed again with the next lines at most this many times in a module.
_PIECE_CHARS = 32_768
_MAX_REJOINS = 16
# Recursion limit and stack for the second try at deeply nested source.
_DEEP_RECURSION_LIMIT = 250_000
_DEEP_STACK_BYTES = 768 * 1024 * 1024
# Shapes only Python 2 has: print and exec statements, "except X, e:", backticks.
_PYTHON2 = lazy_pattern(
    r"^[ \t]*(?:print[ \t]+[^\s(=]|exec[ \t]+[\"']|except[^:\n]*,[ \t]*\w+[ \t]*:)|`\w",
    re.MULTILINE,
)
# The Python 2 statements no Python 3 has, and the error of an ``except A, B:``.
_PYTHON2_STATEMENTS = lazy_pattern(
    r"^[ \t]*(?:print[ \t]+[^\s(=]|exec[ \t]+[\"'])|`\w", re.MULTILINE
)
_UNPARENTHESIZED = "multiple exception types must be parenthesized"


# What Python 3 says of indentation that mixes tabs and spaces, which Python 2 read
# with a tab as up to eight columns: such a module is read as Python 2.
_MIXED_TABS = "inconsistent use of tabs and spaces"
# Statements blanked out before a module is given up as unparsable.
_MAX_REPAIRS = 16
# PEP 695 type parameters of a def or class: ``def send[T](``, ``class Box[T]:``, also
# over several lines as formatters wrap them (``def build[\n    T\n](``).
_TYPE_PARAMETERS = lazy_pattern(
    r"^([ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+\w+)(\[[^\]]*\])", re.MULTILINE
)
_TYPE_STATEMENT = lazy_pattern(r"^[ \t]*type[ \t]+\w+[ \t]*(?:\[[^\]\n]*\])?[ \t]*=")


@plain
class LeftOut:
    """A statement the parser refused, left out of the analysis: why, and its lines."""

    error: ParseError
    first_line: int
    last_line: int


@plain
class Parsed:
    """A module's text (offsets of the model index into it), its tree, and the
    statements left out because the parser refused them."""

    text: str
    tree: ast.Module
    left_out: list[LeftOut] = field(default_factory=list)
    # For a Python 2 module: ``text`` is its Python 3 translation; this takes the
    # translation's positions back to the file and holds the error to report.
    python2: Translation | None = None


def parse_python(source: Source, whole_up_to: int = 0) -> Parsed:
    """``whole_up_to``: parse a module whole up to this many characters even above
    :data:`LARGE_MODULE_CHARS` (a module read for its summary: a wrapper of a wrapper
    names no mail, and its statements would all be left out)."""
    try:
        text = source.text
    except ValueError as error:
        raise ParseError(str(error)) from None
    whole = len(text) <= max(LARGE_MODULE_CHARS, whole_up_to)
    source = text if whole else mail_statements(text)
    if len(source) > MAX_ANALYSED_CHARS:
        _bound(source)
    try:
        return Parsed(text, parse_text(source))
    except ParseError as error:
        if _PYTHON2.search(text) or _MIXED_TABS in error.args[0]:
            translated = _python3(text, error)
            if translated is not None:
                return translated
        if error.line is None:
            raise _with_python2_hint(error, text) from None
        repaired = _repaired(text, source, error)
        if repaired.left_out and _PYTHON2.search(text):
            # Python 2 is not repaired statement by statement (nearly every ``print``
            # would go); newer syntax blanked whole is (a backtick in a docstring
            # looks like Python 2's repr).
            raise _with_python2_hint(error, text) from None
        return repaired


def _bound(source: str) -> None:
    """Raise :class:`TooComplex` when more code is left to analyse than a file may have:
    a very large module whose statements could not be narrowed down to those that
    mention mail (all of them on a few lines, or all of them about mail)."""
    analysed = len(source) - source.count(" ")
    if analysed > MAX_ANALYSED_CHARS:
        raise TooComplex(
            f"{analysed:,} characters of statements that mention mail or what they use are "
            f"over the {MAX_ANALYSED_CHARS:,} a file may have analysed"
        )


def parse_whole(text: str) -> ast.Module:
    """The tree of a whole module, as the fixer needs it: syntax newer than the running
    Python blanked out as :func:`parse_python` does (positions kept), and ParseError when
    any statement would have to be left out."""
    try:
        return parse_text(text)
    except ParseError as error:
        if error.line is None:
            raise
        parsed = _repaired(text, text, error)
        if parsed.left_out:
            raise parsed.left_out[0].error from None
        return parsed.tree


def _python3(text: str, error: ParseError) -> Parsed | None:
    """A Python 2 module parsed in its Python 3 translation, if it has one that parses.
    The file still fails to parse as Python 3, which is reported (``fix`` cannot touch it),
    with what was done instead."""
    # start-up: only a module that does not parse as Python 3 needs the translation
    from .python2 import LineMap, Translation, translate

    translated = translate(text)
    if translated is None:
        return None
    source = translated if len(translated) <= LARGE_MODULE_CHARS else mail_statements(translated)
    try:
        tree = parse_text(source)
    except ParseError:
        return None
    written = "Python 2 code"
    if error.args[0].endswith(_UNPARENTHESIZED) and not _PYTHON2_STATEMENTS.search(text):
        # ``except A, B:`` is also Python 3.14's (PEP 758), read here as Python 2's.
        written = "Python 2 code, or Python 3.14's except without parentheses"
    error.args = (
        f"{error.args[0]} ({written}: checked in a Python 3 translation; findings are "
        "low confidence and not fixed)",
    )
    return Parsed(translated, tree, python2=Translation(LineMap(text, translated), error))


def parse_text(source: str) -> ast.Module:
    try:
        if STATEMENTWISE_CHARS < len(source) <= LARGE_MODULE_CHARS:
            tree = _parse_by_statement(source)
            if tree is not None:
                return tree
        return _parse(source)
    except RecursionError:
        return _parse_deep(source)
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except ValueError as error:  # null bytes
        raise ParseError(f"cannot parse: {error}") from None
    except MemoryError:
        raise ParseError("too large to parse") from None


def _without_type_parameters(match: re.Match[str]) -> str:
    """A def or class with its type parameters blanked out, positions kept. A list over
    several lines ends each of them with a backslash: the name and the ``(`` that follows
    on a later line stay one logical line."""
    lines = _VISIBLE.sub(" ", match.group(2)).split("\n")
    ends = [line[:-1] if line.endswith("\r") else line for line in lines[:-1]]
    if not all(ends):
        return match.group(1) + "\n".join(lines)  # a blank line inside: as it is
    joined = [end[:-1] + "\\" + line[len(end) :] for end, line in zip(ends, lines, strict=False)]
    return match.group(1) + "\n".join([*joined, lines[-1]])


def _repaired(text: str, source: str, first: ParseError) -> Parsed:
    """The module parsed with newer syntax blanked out (or rewritten: f-strings), then
    without the top-level statements the parser still refuses; ``first`` if nothing
    helps."""
    # start-up: only a module that does not parse as it is needs the rewriting
    from .fstrings import older_fstrings

    source = older_fstrings(source)
    source = _TYPE_PARAMETERS.sub(_without_type_parameters, source)
    source = "".join(
        _VISIBLE.sub(" ", line) if _TYPE_STATEMENT.match(line) else line
        for line in _LINE_END_KEPT.findall(source)
    )
    chunks = _chunks(source)
    left_out: list[LeftOut] = []
    for _ in range(_MAX_REPAIRS):
        try:
            left_out.sort(key=lambda left: left.first_line)
            return Parsed(text, parse_text(source), left_out)
        except ParseError as error:
            if error.line is None:
                break
            offset = _line_offset(source, error.line)
            index = bisect.bisect_right([c[0] for c in chunks], offset) - 1
            if index > 0 and INCOMPLETE.search(error.args[0]):
                index -= 1  # the statement above never got the block or clause it needs
            start, end = chunks[index]
            if not source[start:end].strip():
                break  # nothing left to blank where the parser stops
            top = _line_number(source, start)
            kept = statement_without_bad_lines(source[start:end], top)
            if kept is not None:
                statement, replaced = kept
                for refused, first_line, last_line in replaced:
                    left_out.append(_left_out(_syntax_error(refused), first_line, last_line))
                source = source[:start] + statement + source[end:]
                continue
            bottom = _line_number(source, max(start, start + len(source[start:end].rstrip()) - 1))
            left_out.append(_left_out(error, top, bottom))
            source = source[:start] + _VISIBLE.sub(" ", source[start:end]) + source[end:]
    raise first


def _left_out(error: ParseError, top: int, bottom: int) -> LeftOut:
    lines = f"line {top}" if top == bottom else f"lines {top}-{bottom}"
    error.args = (f"{error.args[0]}; {lines} not checked",)
    return LeftOut(error, top, bottom)


def _line_offset(text: str, line: int) -> int:
    if line <= 1:
        return 0
    for count, match in enumerate(_LINE_END.finditer(text), start=2):
        if count == line:
            return match.end()
    return len(text)


def _line_number(text: str, offset: int) -> int:
    return len(_LINE_END.findall(text, 0, offset)) + 1


def _parse(source: str) -> ast.Module:
    with warnings.catch_warnings(), gc_paused():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like
        return ast.parse(source)


def _parse_by_statement(source: str) -> ast.Module | None:
    """The tree of a large module, parsed a run of top-level statements at a time: the
    same tree as a whole parse (each run behind as many line ends as precede it, so
    every line and column is the file's), with the parser's working memory that of the
    largest run instead of the module's (about 80 times its text). None when a run does
    not parse on its own: the whole parse then says what is wrong.

    A run ends before a column-0 line; one that ends inside a string, brackets or a
    backslash continuation is cut inside a statement and cannot parse (the text ends
    in it), so it takes the next lines in and is parsed again."""
    chunks = _chunks(source)
    body: list[ast.stmt] = []
    line = 1
    rejoined = 0
    first = 0
    with warnings.catch_warnings(), gc_paused():
        warnings.simplefilter("ignore")
        while first < len(chunks):
            last = first
            while chunks[last][1] - chunks[first][0] < _PIECE_CHARS and last + 1 < len(chunks):
                last += 1
            while True:
                piece = source[chunks[first][0] : chunks[last][1]]
                try:
                    body += ast.parse("\n" * (line - 1) + piece).body
                    break
                except SyntaxError:
                    rejoined += 1
                    if rejoined > _MAX_REJOINS or last + 1 >= len(chunks):
                        return None
                    last += 1
                except (ValueError, RecursionError, MemoryError):
                    return None
            line += len(_LINE_END.findall(piece))
            first = last + 1
    return ast.Module(body=body, type_ignores=[])


def _parse_deep(source: str) -> ast.Module:
    # start-up: threading (about 4 M instructions) only for a module nested this deep
    import threading

    outcome: list[ast.Module | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_parse(source))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    limit = sys.getrecursionlimit()
    stack = threading.stack_size()
    sys.setrecursionlimit(_DEEP_RECURSION_LIMIT)
    try:
        threading.stack_size(_DEEP_STACK_BYTES)
        thread = threading.Thread(target=work, name="authsweep-deep-parse", daemon=True)
        thread.start()
        threading.stack_size(stack)
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    result = outcome[0]
    if isinstance(result, ast.Module):
        return result
    if isinstance(result, SyntaxError):
        raise _syntax_error(result) from None
    if isinstance(result, RecursionError):
        raise ParseError("too deeply nested to parse") from None
    raise ParseError(f"cannot parse: {type(result).__name__}") from None


def _syntax_error(error: SyntaxError) -> ParseError:
    """The parser's own words; where it points is the error's line and column."""
    return ParseError(f"syntax error: {error.msg or 'invalid syntax'}", error.lineno, error.offset)


def _with_python2_hint(error: ParseError, text: str) -> ParseError:
    if _PYTHON2.search(text):
        error.args = (f"{error.args[0]} (Python 2 code)",)
    return error


# A line that may start a top-level statement: not indented, not a comment, not a
# closing bracket, not a clause that continues the statement above it.
_TOP_LEVEL = lazy_pattern(r"^(?![\s#)\]}]|(?:else|elif|except|finally)\b)", re.MULTILINE)
_DEFINES = lazy_pattern(
    r"(?:@[^\n]*\n)*(?:(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|(\w+)[ \t]*(?::[^=\n]*)?=[^=])"
)
_IMPORT = lazy_pattern(r"(?:import|from)[ \t]")
# Top-level compound statements, and the names their indented lines assign.
_COMPOUND = lazy_pattern(r"(?:with|if|try|for|while|async[ \t]+with)\b")
_NESTED_BINDS = lazy_pattern(r"\n[ \t]+(\w+)[ \t]*(?::[^=\n]*)?=[^=]")
# Statements about the module itself (``if __name__ == "__main__":``,
# ``app.config.from_object(__name__)``, ``globals()``): whether it runs as a script and
# hands its names to a reader, which say whether its settings are used (settings_source),
# are kept with the imports.
_MODULE_ITSELF = lazy_pattern(r"\b(?:__name__|globals|vars)\b")
_WORD = lazy_pattern(r"[A-Za-z_]\w*")
# Words that name a password or an app secret: a literal handed to such a name is a
# mail secret of a module that talks to mail, wherever the statement is.
_SECRET_WORDS = lazy_pattern(r"passw|pwd|secret", re.IGNORECASE)
_LINE_END = lazy_pattern(r"\r\n|\r|\n")
_LINE_END_KEPT = lazy_pattern(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_VISIBLE = lazy_pattern(r"[^\r\n]")
_MAX_MERGES = 64


def mail_statements(text: str) -> str:
    """``text`` with every top-level statement blanked out but those that mention mail
    or a password or secret (when any mentions mail), the imports, those about the module
    itself (``__name__``, ``globals()``), and, to a fixpoint,
    the definitions they use by name and the statements that use what they define
    (``server = SMTP(...)`` then ``server.login(...)``)."""
    if "\r" in text and "\n" not in text:
        return text  # old Mac line ends: no statement boundaries to find cheaply
    chunks = _statement_chunks(text)
    starts = [start for start, _ in chunks]
    chosen = {bisect.bisect_right(starts, at) - 1 for at in marker_starts(text)}
    if chosen:
        chosen.update(
            bisect.bisect_right(starts, m.start()) - 1 for m in _SECRET_WORDS.finditer(text)
        )
    imports = {i for i, start in enumerate(starts) if _IMPORT.match(text, start)}
    itself = {bisect.bisect_right(starts, m.start()) - 1 for m in _MODULE_ITSELF.finditer(text)}
    definitions: dict[str, list[int]] = {}
    for index, start in enumerate(starts):
        match = _DEFINES.match(text, start)
        if match:
            definitions.setdefault(match.group(1) or match.group(2), []).append(index)
        elif _COMPOUND.match(text, start):
            # ``with open(path) as f: config = json.load(f)``: the names its body binds.
            for name in set(_NESTED_BINDS.findall(text, start, chunks[index][1])):
                definitions.setdefault(name, []).append(index)
    defines = {i: {name} for name, indexes in definitions.items() for i in indexes}
    parsed: dict[int, ast.Module | None] = {}
    for index in imports & chosen:  # names imported from a mail library are mail names
        defines[index] = _imported_names(_chunk_tree(text, chunks, index, index, parsed))
    new = set(chosen)
    while new:
        for index in new - imports:  # names bound under an if/try/with at the top level
            bound = _bound_names(_chunk_tree(text, chunks, index, index, parsed))
            defines[index] = defines.get(index, set()) | bound
        found: set[int] = set()
        for index in new:
            start, end = chunks[index]
            for word in set(_WORD.findall(text, start, end)):
                found.update(definitions.get(word, ()))
        names = {name for i in new for name in defines.get(i, ())}
        if names:
            users = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
            found.update(bisect.bisect_right(starts, m.start()) - 1 for m in users.finditer(text))
        new = found - chosen
        chosen |= new
    kept = _whole_statements(text, chunks, chosen | imports | itself, parsed)
    parts: list[str] = []
    for index, (start, end) in enumerate(chunks):
        piece = text[start:end]
        parts.append(piece if index in kept else _VISIBLE.sub(" ", piece))
    return "".join(parts)


def _chunk_tree(
    text: str,
    chunks: list[tuple[int, int]],
    first: int,
    last: int,
    parsed: dict[int, ast.Module | None],
) -> ast.Module | None:
    """The tree of one chunk (``first == last``, remembered) or of a run of them."""
    if first == last and first in parsed:
        return parsed[first]
    start, end = chunks[first][0], chunks[last][1]
    tree: ast.Module | None = None
    if end - start <= MAX_ANALYSED_CHARS:  # a larger one is refused as a whole anyway
        try:
            tree = _parse(text[start:end])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    if first == last:
        parsed[first] = tree
    return tree


def _bound_names(tree: ast.Module | None) -> set[str]:
    """The names a top-level statement binds, in its blocks too but not in the functions
    and classes it defines."""
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body) if tree is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _imported_names(tree: ast.Module | None) -> set[str]:
    if tree is None:
        return set()
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
        if alias.name != "*"
    }


def _chunks(text: str) -> list[tuple[int, int]]:
    """Candidate top-level statements: from one column-0 line that may start a statement
    to the next, a decorator joined to what it decorates."""
    return _joined(text, [m.start() for m in _TOP_LEVEL.finditer(text)])


def _statement_chunks(text: str) -> list[tuple[int, int]]:
    """The chunks of a module that parses: a column-0 line inside a string or brackets
    (a docstring's second line, the items of a table) starts no statement."""
    inside, _ = multiline_spans(text)  # an unclosed bracket: the parser says what is wrong
    opens = [start for start, _ in inside]
    starts = []
    for match in _TOP_LEVEL.finditer(text):
        at = match.start()
        index = bisect.bisect_right(opens, at) - 1
        if index < 0 or not (inside[index][0] < at < inside[index][1]):
            starts.append(at)
    return _joined(text, starts)


def _joined(text: str, starts: list[int]) -> list[tuple[int, int]]:
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks = list(zip(starts, [*starts[1:], len(text)], strict=True))
    joined: list[tuple[int, int]] = []
    decorating = False  # the last chunk holds decorators still waiting for their def
    for start, end in chunks:
        if decorating:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
        decorating = text.startswith("@", start)
    return joined


def _whole_statements(
    text: str,
    chunks: list[tuple[int, int]],
    chosen: set[int],
    parsed: dict[int, ast.Module | None],
) -> set[int]:
    """The chosen chunks, each grown over the chunks that follow it until it parses on its
    own (a column-0 line inside a string or bracket is not a statement start). One that
    never does is kept as it is, for the parser to say what is wrong with it."""
    kept: set[int] = set()
    for index in sorted(chosen):
        if index in kept:
            continue
        last = index
        while _chunk_tree(text, chunks, index, last, parsed) is None:
            if last + 1 >= len(chunks) or last - index >= _MAX_MERGES:
                last = index
                break
            last += 1
        kept.update(range(index, last + 1))
    return kept
