"""authsweep's own options: ``[tool.authsweep]`` in ``pyproject.toml``, read, checked, and
applied per file as :class:`~.engine.RunOptions` (the users' mail settings authsweep
reads are :mod:`.mail_settings`; their config files, :mod:`.config`).

Each file is checked with the configuration nearest to it: the first
``pyproject.toml`` with a ``[tool.authsweep]`` table found walking up from the
file's folder, so in a folder of many repositories each repository's own
configuration applies inside it. ``--config FILE`` names one for every file
(a ``pyproject.toml``, or a TOML file whose top level is the table itself).
Globs (``extend-exclude``, ``per-file-ignores``) are relative to the folder of
the file they are written in.

Unknown keys and bad values are errors that name the key: a typo must never
silently turn a rule back on or off.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .discover import nearest_ancestor
from .engine import MAX_FILE_BYTES, TARGETS, RunOptions
from .globs import PathGlobs
from .lazy_regex import lazy_pattern
from .records import plain, record

SEVERITIES = ("error", "warning", "info")  # most severe first
DEFAULT_FAIL_ON = "warning"
KEYS = (
    "select",
    "ignore",
    "extend-exclude",
    "per-file-ignores",
    "all-providers",
    "assume-microsoft",
    "token-provider",
    "oauth2-module",
    "severity",
    "fail-on",
    "max-file-size",
    "target",
)
_TOKEN_PROVIDER = lazy_pattern(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
_MODULE_NAME = lazy_pattern(r"^[A-Za-z_]\w*$")
_SIZE = lazy_pattern(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])i?)?b?\s*$", re.IGNORECASE)
_SCALE = {None: 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """``"8MB"``, ``"512 KiB"``, ``"1g"`` or a number of bytes; 1 MB is 1024 KB, as git and
    most build tools count. ValueError for anything else."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size; write it as 8MB, 512KB or a number of bytes")
    unit = match.group(2).lower() if match.group(2) else None
    return int(float(match.group(1)) * _SCALE[unit])


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the run at threshold ``fail_on``."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


@record
class Config:
    """One ``[tool.authsweep]`` table (or ``--config`` file), read and checked."""

    path: Path  # the file it was read from
    root: Path  # its folder: globs are relative to it
    select: tuple[str, ...] | None = None  # None: not set, so every rule
    ignore: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    all_providers: bool = False
    # Files whose mail hosts are Microsoft 365 even where the code does not say which host:
    # globs relative to ``root`` (``"**"`` for every file).
    assume_microsoft: tuple[str, ...] = ()
    token_provider: str | None = None
    oauth2_module: str | None = None
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str | None = None  # None: not set
    max_file_bytes: int | None = None  # None: not set
    target: str | None = None  # None: not set

    @cached_property
    def excludes(self) -> PathGlobs:
        """``extend-exclude`` compiled once: a file is matched against thousands of patterns
        in microseconds."""
        return PathGlobs(self.extend_exclude)


def selector_problem(code: str) -> str | None:
    """Why ``code`` is not a rule selector (``ALL``, ``AS``, ``AS1``, ``AS101``), or None."""
    from authsweep.rules import ALL_RULES  # start-up: every command reads the configuration

    code = code.strip().upper()
    if code == "ALL":
        return None
    if not re.fullmatch(r"AS\d{0,3}", code):
        return f"{code!r} is not a rule id or prefix; rules are AS101..AS303 or prefixes (AS1)"
    if not any(rule.id.startswith(code) for rule in ALL_RULES):
        return f"{code!r} matches no rule; `authsweep rules` lists them"
    return None


def rule_id(key: str) -> str | None:
    from authsweep.rules import rule_by_id  # start-up, as in selector_problem

    rule = rule_by_id(key)
    return rule.id if rule is not None else None


def read_config(path: Path, *, named: bool = False) -> Config | None:
    """The configuration in ``path``; None for a ``pyproject.toml`` without the table
    (unless ``named`` by ``--config``, which makes that an error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    if not named and "authsweep" not in text:
        return None  # a pyproject.toml of another tool: not even parsed, so never an error
    # The TOML parser (about 2 ms with its patterns) only for a file that may hold the
    # table, which most projects' pyproject.toml does not.
    if sys.version_info >= (3, 11):
        import tomllib  # start-up: see above
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # start-up: see above
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table = document.get("tool", {}).get("authsweep") if isinstance(document, dict) else None
    where = "[tool.authsweep]"
    if table is None:
        if path.name == "pyproject.toml":
            if named:
                raise ConfigError(f"{path}: no [tool.authsweep] table")
            return None
        table, where = document, "top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.authsweep] must be a table")
    return _parse(table, path, where)


def _parse(table: dict, path: Path, where: str) -> Config:
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{path}: {where}: {key}: {problem}")

    for key in table:
        if key not in KEYS:
            import difflib  # start-up: only a configuration with an unknown key needs it

            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(KEYS)}"
            raise fail(key, f"unknown key{hint}")

    def strings(key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def selectors(key: str, value: object) -> tuple[str, ...]:
        codes = strings(key, value)
        for code in codes:
            problem = selector_problem(code)
            if problem:
                raise fail(key, problem)
        return tuple(code.strip().upper() for code in codes)

    config: dict = {}
    if "select" in table:
        config["select"] = selectors("select", table["select"])
    if "ignore" in table:
        config["ignore"] = selectors("ignore", table["ignore"])
    if "extend-exclude" in table:
        config["extend_exclude"] = strings("extend-exclude", table["extend-exclude"])
    if "per-file-ignores" in table:
        value = table["per-file-ignores"]
        if not isinstance(value, dict):
            raise fail("per-file-ignores", f"expected a table of glob = [rules], got {value!r}")
        config["per_file_ignores"] = tuple(
            (glob, selectors(f"per-file-ignores.{glob!r}", codes)) for glob, codes in value.items()
        )
    if "all-providers" in table:
        value = table["all-providers"]
        if not isinstance(value, bool):
            raise fail("all-providers", f"expected true or false, got {value!r}")
        config["all_providers"] = value
    if "assume-microsoft" in table:
        value = table["assume-microsoft"]
        if isinstance(value, bool):
            config["assume_microsoft"] = ("**",) if value else ()
        else:
            config["assume_microsoft"] = strings("assume-microsoft", value)
    if "token-provider" in table:
        value = table["token-provider"]
        if not isinstance(value, str) or not _TOKEN_PROVIDER.match(value):
            raise fail("token-provider", f"expected 'package.module:function', got {value!r}")
        config["token_provider"] = value
    if "oauth2-module" in table:
        value = table["oauth2-module"]
        if not isinstance(value, str) or not _MODULE_NAME.match(value) or value.isdigit():
            raise fail("oauth2-module", f"expected a module name like 'mail_oauth2', got {value!r}")
        config["oauth2_module"] = value
    if "severity" in table:
        value = table["severity"]
        if not isinstance(value, dict):
            raise fail("severity", f"expected a table of rule = severity, got {value!r}")
        overrides = []
        for key, level in value.items():
            found = rule_id(key)
            if found is None:
                raise fail(f"severity.{key}", "not a rule id; `authsweep rules` lists them")
            if level not in SEVERITIES:
                raise fail(f"severity.{key}", f"expected one of {', '.join(SEVERITIES)}")
            overrides.append((found, level))
        config["severity"] = tuple(sorted(overrides))
    if "fail-on" in table:
        value = table["fail-on"]
        if value not in SEVERITIES:
            raise fail("fail-on", f"expected one of {', '.join(SEVERITIES)}, got {value!r}")
        config["fail_on"] = value
    if "max-file-size" in table:
        value = table["max-file-size"]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise fail("max-file-size", f'expected a size such as "8MB", got {value!r}')
        try:
            config["max_file_bytes"] = value if isinstance(value, int) else parse_size(value)
        except ValueError as error:
            raise fail("max-file-size", str(error)) from None
        if config["max_file_bytes"] < 0:
            raise fail("max-file-size", "must not be negative (0: no limit)")
    if "target" in table:
        value = table["target"]
        if value not in TARGETS:
            raise fail("target", f"expected one of {', '.join(TARGETS)}, got {value!r}")
        config["target"] = value
    return Config(path=path, root=path.parent, **config)


def _matches(relative: str, pattern: str) -> bool:
    """Glob match as in Ruff: on the path relative to the config folder, on the file name
    for a pattern without a slash, and ``**/`` also matching no folder at all."""
    if fnmatch.fnmatch(relative, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatch(relative, pattern[3:]):
        return True
    return "/" not in pattern and fnmatch.fnmatch(relative.rsplit("/", 1)[-1], pattern)


@plain
class Overrides:
    """What the command line says; it wins over configuration files."""

    select: tuple[str, ...] = ()  # replaces the configured select when given
    ignore: tuple[str, ...] = ()  # added to the configured ignore
    all_providers: bool = False
    fail_on: str | None = None  # replaces the configured fail-on when given
    max_file_bytes: int | None = None  # replaces the configured max-file-size when given
    assume_microsoft: bool = False  # every file's unknown hosts are Microsoft 365
    extend_select: tuple[str, ...] = ()  # added to the select in force (none: every rule)
    target: str | None = None  # replaces the configured target when given


@dataclass(eq=False, repr=False)
class ConfigResolver:
    """The configuration of each file (the nearest table, or ``--config``) with the command
    line's overrides, as run options; tables are read once per folder."""

    overrides: Overrides = field(default_factory=Overrides)
    config_file: Path | None = None  # --config
    _forced: Config | None = field(default=None, init=False)
    _by_folder: dict[str, Config | None] = field(default_factory=dict, init=False)
    # Files' folders as their paths name them: the configuration of each.
    _by_given_folder: dict[str, Config | None] = field(default_factory=dict, init=False)
    _settings: dict[tuple[Config | None, bool], RunOptions] = field(
        default_factory=dict, init=False
    )

    def __post_init__(self) -> None:
        if self.config_file is not None:
            self._forced = read_config(self.config_file.absolute(), named=True)

    def config_for(self, path: Path) -> Config | None:
        """The configuration that applies to the file (or folder) at ``path``."""
        if self._forced is not None:
            return self._forced
        start = os.path.abspath(path)
        return self._config_in(start if os.path.isdir(start) else os.path.dirname(start))

    def _config_in(self, folder: str) -> Config | None:
        """The nearest table at or above the absolute ``folder``."""

        def table_in(folder: str) -> Config | None:
            candidate = os.path.join(folder, "pyproject.toml")
            return read_config(Path(candidate)) if os.path.isfile(candidate) else None

        return nearest_ancestor(folder, self._by_folder, table_in)

    def _config_of_file(self, path: Path) -> Config | None:
        """:meth:`config_for` of a file, found by its folder as its path names it: the
        files of a tree share a few hundred folders, and making each file's path absolute
        and asking whether it is a folder took about 25,000 instructions a file, 2 % of a
        cold check of Airflow (bench/RESULTS.md, speed10b). The folder of a file's
        absolute path is its named folder made absolute: the file's own name is no ``..``."""
        if self._forced is not None:
            return self._forced
        given = os.path.dirname(os.fspath(path))
        if given not in self._by_given_folder:
            self._by_given_folder[given] = self._config_in(os.path.abspath(given))
        return self._by_given_folder[given]

    def settings(self, config: Config | None, assume_microsoft: bool = False) -> RunOptions:
        key = (config, assume_microsoft or self.overrides.assume_microsoft)
        if key not in self._settings:
            over = self.overrides
            select = over.select or (config.select if config and config.select else ())
            if select and over.extend_select:  # an empty select is every rule already
                select = (*select, *over.extend_select)
            self._settings[key] = RunOptions(
                select=select,
                ignore=(*(config.ignore if config else ()), *over.ignore),
                all_providers=over.all_providers or bool(config and config.all_providers),
                assume_microsoft=key[1],
                token_provider=config.token_provider if config else None,
                oauth2_module=(config and config.oauth2_module) or RunOptions.oauth2_module,
                severity=config.severity if config else (),
                max_file_bytes=next(
                    size
                    for size in (
                        over.max_file_bytes,
                        config.max_file_bytes if config else None,
                        MAX_FILE_BYTES,
                    )
                    if size is not None
                ),
                target=over.target or (config and config.target) or RunOptions.target,
            )
        return self._settings[key]

    def fail_on(self, path: Path) -> str:
        """The severity from which findings in the file at ``path`` fail the run."""
        if self.overrides.fail_on is not None:
            return self.overrides.fail_on
        config = self.config_for(path)
        return config.fail_on if config and config.fail_on else DEFAULT_FAIL_ON

    def configure(self, path: Path) -> tuple[RunOptions, tuple[str, ...]] | None:
        """How to check one file: its settings and the rules ignored for it alone, or None
        when its configuration excludes it (also when it was named on the command line,
        as pre-commit does)."""
        config = self._config_of_file(path)
        if config is None:
            return self.settings(None), ()
        absolute = os.path.abspath(path)
        try:
            relative = Path(os.path.relpath(absolute, config.root)).as_posix()
        except ValueError:  # another drive on Windows
            relative = Path(absolute).as_posix()
        if relative.startswith("../"):
            relative = Path(absolute).as_posix()
        if config.extend_exclude and config.excludes.match(relative):
            return None
        ignored = tuple(
            code
            for pattern, codes in config.per_file_ignores
            if _matches(relative, pattern)
            for code in codes
        )
        assumed = any(_matches(relative, pattern) for pattern in config.assume_microsoft)
        return self.settings(config, assumed), ignored
