"""Compiled regular expressions kept between runs: the same patterns as ``re.compile``'s."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from pathlib import Path

import authsweep.rules
import authsweep.scanner
import pytest
from authsweep.scanner import lazy_regex, pattern_cache
from authsweep.scanner.pattern_cache import PatternCache, install, program_of, read, write


def _lazy_patterns() -> list[tuple[str | bytes, int]]:
    """Every pattern the package compiles on first use (the modules' lazy patterns)."""
    found: dict[tuple[str | bytes, int], None] = {}
    for package in (authsweep.scanner, authsweep.rules):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".lab" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, lazy_regex._LazyPattern) and "_source" in vars(value):
                    pattern, flags = value._source
                    found[(pattern, int(flags))] = None
    return list(found)


PATTERNS = _lazy_patterns()
OTHERS = [
    (r"(?P<user>[^:@]+)(?::(?P<password>[^@]*))?@", 0),
    (rb"\bsmtp(?:lib)?\b", re.IGNORECASE),
    (r"(?i)^(?:a|b)$", re.MULTILINE | re.VERBOSE),
    (r"[\u00c0-\uffff]+", re.ASCII),
    (r"(a)(?P<b>b)(c)?", 0),
    (rb"(?L)x", 0),
]


def test_the_package_has_lazy_patterns() -> None:
    assert len(PATTERNS) > 40


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS + OTHERS)
def test_a_kept_program_makes_the_pattern_re_compile_makes(
    tmp_path: Path, monkeypatch, pattern: str | bytes, flags: int
) -> None:
    """Compiled afresh, and again from the file a run wrote: equal to ``re.compile``'s
    (``==`` on patterns compares their flags, text and program) with the same groups."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    expected = re.compile(pattern, flags)
    first = PatternCache(str(tmp_path / "p.marshal"))
    fresh = first.compile(pattern, flags)
    first.save()
    second = PatternCache(str(tmp_path / "p.marshal"))
    kept = second.compile(pattern, flags)
    assert second.added == 0 and first.added == 1
    for compiled in (fresh, kept):
        assert compiled == expected
        assert (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex) == (
            expected.pattern,
            expected.flags,
            expected.groups,
            expected.groupindex,
        )


def test_flags_given_as_re_flags_are_the_same_key(tmp_path: Path) -> None:
    cache = PatternCache(str(tmp_path / "p.marshal"))
    assert cache.compile("x", re.I | re.M) == re.compile("x", re.I | re.M)
    assert cache.compile("x", int(re.I | re.M)) == re.compile("x", re.I | re.M)
    assert cache.added == 1


def test_what_re_refuses_it_refuses_alike(tmp_path: Path) -> None:
    cache = PatternCache(str(tmp_path / "p.marshal"))
    with pytest.raises(re.error):
        cache.compile("unbalanced(")
    with pytest.raises(ValueError):
        cache.compile("x", re.ASCII | re.UNICODE)
    assert program_of("x", re.DEBUG) is None  # prints: left to re.compile
    assert cache.added == 0


def test_a_file_of_another_interpreter_or_broken_is_done_without(tmp_path: Path) -> None:
    path = tmp_path / "p.marshal"
    program = program_of("a+b", 0)
    assert program is not None
    write(str(path), {("a+b", 0): program})
    assert read(str(path)) == {("a+b", 0): program}
    import marshal

    path.write_bytes(marshal.dumps((("2.7.18", 1), {("a+b", 0): program})))
    assert read(str(path)) == {}
    path.write_bytes(b"not marshal")
    assert read(str(path)) == {}
    # A program that is not the pattern's (or not a program at all): compiled afresh.
    write(str(path), {("a+b", 0): (0, [1, 2, 3], 0, {}, ()), ("c", 0): program})
    cache = PatternCache(str(path))
    assert cache.compile("a+b") == re.compile("a+b")
    assert cache.added == 1


def test_nothing_is_written_without_bytecode(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = PatternCache(str(tmp_path / "p.marshal"))
    cache.compile("abc")
    cache.save()
    assert not (tmp_path / "p.marshal").exists()


def test_the_command_s_lazy_patterns_go_through_the_installed_cache(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(pattern_cache, "_installed", None)
    assert install(str(tmp_path), "--version") is None
    cache = install(str(tmp_path), "check")
    assert cache is not None
    assert cache.path == str(
        tmp_path / "__pycache__" / f"patterns.check.{sys.implementation.cache_tag}.marshal"
    )
    lazy = lazy_regex.lazy_pattern(r"\d+(?P<unit>ms|s)")
    assert lazy.search("took 30ms").group("unit") == "ms"
    assert cache.used == {(r"\d+(?P<unit>ms|s)", 0): program_of(r"\d+(?P<unit>ms|s)", 0)}
    monkeypatch.setattr(pattern_cache, "_installed", None)
    assert lazy_regex.lazy_pattern("y").search("xy")  # without a cache: re.compile
