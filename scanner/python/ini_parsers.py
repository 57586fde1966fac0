"""``get(section, option)`` of a configparser parser told from ``dict.get(key, default)``.

Both are written ``config.get("mail", "server")``. Read as ``dict.get``, the option's name
becomes a default: ``"server"``, a one-label host, hid the login it reaches, and
``config.get("email", "password")`` a literal password. A parser's second argument is
the option's name, never a value. A receiver is taken for a parser when

- its value is one (:func:`.ini_reads.config_value`: built in the module);
- its name says so (``parser``, ``config_parser``, ``cp``, ``ini``: argparse's
  ``parser`` has no ``get``);
- the module says so: it is built from a configparser class, annotated with one
  (``cp: configparser.ConfigParser``, also inside ``Optional[...]``), set from such a
  parameter (``self.config = config``), or has a method only parsers have called on it
  (``read_file``, ``sections()``, ``has_option``, ``read("mail.ini")``, a ``get`` with
  ``fallback=``);
- or the call has a parser's shape: two strings, the second a mail setting's key
  (``server``, ``smtp_host``, ``password``, ``port``), the first a section's name. A
  mapping's default is a value (``"smtp.office365.com"``, ``"localhost"``, ``"Basic"``),
  and nobody defaults a key to the name of another.

A receiver known to be a mapping (a dict written in the module, a dict among choices)
keeps ``dict.get``; so do the environment's readers.
"""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet
from functools import cached_property

from ..lazy_regex import lazy_pattern
from ..mail_settings.keys import is_setting_key
from ..model import Value
from .ini_reads import PARSERS, IniConfig, section_get
from .source import dotted_name

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from .source import SourceText
    from .symbols import Symbols

# Methods of a parser that no mapping has (``has_option`` and ``options`` also name
# optparse's, which has no ``get``).
_PARSER_METHODS = frozenset(
    {"read_file", "read_string", "read_dict", "sections", "has_section", "has_option"}
    | {"add_section", "remove_section", "options"}
)
# Text without which a module says nothing of a parser: a class's name, one of the
# methods above, a getter's keywords.
_PARSER_MARKERS = lazy_pattern(
    r"ConfigParser|configparser|read_file|read_string|read_dict|sections\(|has_section"
    r"|has_option|add_section|remove_section|options\(|fallback\s*=|raw\s*=|vars\s*="
    r"|\.read\(\s*(?:[\[(]|[rbfRBF]?[\"'])"
)
# Keywords of a parser's getters; ``dict.get`` takes none.
_PARSER_KEYWORDS = frozenset({"fallback", "raw", "vars"})
# A section's name as people write them: ``smtp``, ``Email Settings``, ``mail.outlook``.
_SECTION = lazy_pattern(r"^[A-Za-z][\w .:-]{0,63}$")
_OPTION = lazy_pattern(r"^[A-Za-z][\w-]{0,63}$")
_ENVIRONMENT = frozenset({"os.environ", "environ"})
# Names people give a parser (argparse's ``parser`` has no ``get``).
_PARSER_NAME = lazy_pattern(
    r"(?i)^(?:\w*_)?(?:config_?parser|conf_?parser|cfg_?parser|parser|cp|ini)$"
)


class IniParsers:
    """The configparser part of :class:`~.values.Evaluator`, which it is mixed into."""

    symbols: Symbols
    text: SourceText

    if TYPE_CHECKING:

        def evaluate(self, node: ast.AST | None, depth: int = 0) -> Value: ...

        def qualified_names(self, node: ast.AST) -> AbstractSet[str]: ...

    def _ini_get(
        self, node: ast.Call, receiver: ast.expr, mapping: Value, depth: int
    ) -> Value | None:
        """``receiver.get(section, option)`` (or ``getint``...) read as a parser's: the
        file's value, the ``fallback=``, or unknown from that option. None for a
        mapping's ``get``."""
        if mapping.known and isinstance(mapping.value, IniConfig):
            parser = mapping.value
        elif _table(mapping) or any(_table(choice) for choice in mapping.choices or ()):
            return None  # a dict's ``get`` (one of the dicts a name may hold)
        elif self._names_parser(receiver) or self._shaped_like_option(node, depth):
            parser = IniConfig()
        else:
            return None
        return section_get(parser, node, lambda arg: self.evaluate(arg, depth))

    def _names_parser(self, receiver: ast.expr) -> bool:
        name = dotted_name(receiver)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1]
        return name in self._ini_parser_names or bool(_PARSER_NAME.match(last))

    def _shaped_like_option(self, node: ast.Call, depth: int) -> bool:
        """Two strings, the second a mail setting's key and the first a section's name."""
        if len(node.args) != 2 or node.keywords or isinstance(node.args[1], ast.Starred):
            return False
        assert isinstance(node.func, ast.Attribute)
        receiver = node.func.value
        if dotted_name(receiver) in _ENVIRONMENT or self.qualified_names(receiver) & _ENVIRONMENT:
            return False
        section, option = (self.evaluate(arg, depth) for arg in node.args)
        return (
            section.known
            and option.known
            and isinstance(section.value, str)
            and isinstance(option.value, str)
            and bool(_SECTION.match(section.value))
            and bool(_OPTION.match(option.value))
            # INI options are often written with hyphens (``imap-server``)
            and is_setting_key(option.value.replace("-", "_"))
        )

    @cached_property
    def _ini_parser_names(self) -> frozenset[str]:
        """The dotted names (``config``, ``self.cfg``) the module uses as parsers."""
        if not _PARSER_MARKERS.search(self.text.code):
            return frozenset()  # most modules: no look
        # From the nodes the scope pass collected (every assignment and call of the module,
        # the parameters of its functions), not two walks of the whole tree.
        symbols = self.symbols
        names: set[str] = set()
        for statement in symbols.assignments:
            if isinstance(statement, ast.Assign):
                if self._builds_parser(statement.value):
                    names.update(n for n in map(dotted_name, statement.targets) if n)
            elif self._annotated_parser(statement.annotation) or self._builds_parser(
                statement.value
            ):
                name = dotted_name(statement.target)
                if name:
                    names.add(name)
        for function in symbols.functions:
            arguments = function.args
            for parameter in (
                *arguments.posonlyargs,
                *arguments.args,
                *([arguments.vararg] if arguments.vararg else []),
                *arguments.kwonlyargs,
                *([arguments.kwarg] if arguments.kwarg else []),
            ):
                if self._annotated_parser(parameter.annotation):
                    names.add(parameter.arg)
        for call in symbols.calls:
            if isinstance(call.func, ast.Attribute):
                name = dotted_name(call.func.value)
                if name and _parser_call(call):
                    names.add(name)
        # ``self.config = config`` of a parser parameter or name.
        for statement in symbols.assignments:
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Name)
                and statement.value.id in names
            ):
                names.update(n for n in map(dotted_name, statement.targets) if n)
        return frozenset(names)

    def _builds_parser(self, node: ast.expr | None) -> bool:
        return isinstance(node, ast.Call) and bool(self.qualified_names(node.func) & PARSERS)

    def _annotated_parser(self, annotation: ast.expr | None) -> bool:
        if annotation is None:
            return False
        return any(
            isinstance(part, (ast.Name, ast.Attribute)) and self.qualified_names(part) & PARSERS
            for part in ast.walk(annotation)
        )


def _parser_call(call: ast.Call) -> bool:
    """A call only a parser answers: one of its own methods, ``read`` of file names
    (a file object's ``read`` takes a size), a getter with a parser's keywords."""
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    if method in _PARSER_METHODS:
        return True
    if method == "read" and call.args:
        first = call.args[0]
        return isinstance(first, (ast.List, ast.Tuple, ast.JoinedStr)) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        )
    return (
        method.startswith("get")
        and len(call.args) == 2
        and any(keyword.arg in _PARSER_KEYWORDS for keyword in call.keywords)
    )


def _table(value: Value) -> bool:
    return value.known and isinstance(value.value, dict)
