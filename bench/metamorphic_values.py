"""Meaning-preserving rewrites for bench/metamorphic.py: the ways fresh code builds the
values and the call of a mail client that the other transforms do not try (a read of the
environment with a default, a settings dataclass, keywords gathered in a dict, a host built
from parts, a credentials tuple, a pass-through wrapper, ``functools.partial``, a class
looked up with ``getattr``).

Each takes a module's text and returns a :class:`Variant` or None when it does not apply;
each docstring says why the rewrite keeps what the program does.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider
from metamorphic_shapes import _literal_arguments
from metamorphic_transforms import (
    SIGNATURES,
    Context,
    Transform,
    Variant,
    _after_imports,
    _bound_names,
    _constructor,
    _constructors,
    _parse,
    _Replace,
    _statement_line,
    _stdlib_receivers,
    _walk,
    hoistable_arguments,
)

_CLIENTS = frozenset(n for n in SIGNATURES if n != "SMTPHandler")


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _names(module: cst.Module) -> set[str]:
    return {n.value for n in _walk(module) if isinstance(n, cst.Name)}


def _with_import(module: cst.Module, library: str) -> cst.Module:
    """``module`` with ``import library`` after its imports, unless it binds the name at
    module level already (to that module: a plain ``import library``)."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    _code(a.name) == library and a.asname is None for a in small.names
                ):
                    return module
    at = _after_imports(module)
    line = cst.parse_statement(f"import {library}\n")
    return module.with_changes(body=[*module.body[:at], line, *module.body[at:]])


def _global_clients(wrapper: MetadataWrapper) -> Iterator[tuple[cst.Call, str]]:
    """The calls of the standard library's mail clients spelled by a module-level import
    (``smtplib.SMTP(...)``, ``SMTP(...)``), with the class's name."""
    spelled = _constructors(wrapper.module)
    scope = wrapper.resolve(ScopeProvider)[wrapper.module]
    assert isinstance(scope, GlobalScope)
    for node in _walk(wrapper.module):
        if not isinstance(node, cst.Call):
            continue
        name = _constructor(node.func, spelled)
        if name not in _CLIENTS:
            continue
        root = _code(node.func).split(".")[0]
        assignments = list(scope.assignments[root])
        if len(assignments) == 1 and isinstance(
            getattr(assignments[0], "node", None), cst.Import | cst.ImportFrom
        ):
            yield node, name


def _unknown_arguments(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def _bound_other_than_import(module: cst.Module, name: str) -> bool:
    """Whether the module binds ``name`` otherwise than by ``import name``."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    for scope in {id(s): s for s in wrapper.resolve(ScopeProvider).values() if s}.values():
        for assignment in scope.assignments[name]:
            if not isinstance(getattr(assignment, "node", None), cst.Import):
                return True
    return False


# 1. values read from the environment with the literal as default


def _hold_lines(
    text: str,
    reference: Callable[[str], str],
    definition: Callable[[list[tuple[str, str]]], list[str]],
    library: str,
    new_names: set[str],
) -> Variant | None:
    """Replace each literal argument by ``reference(key)`` and put the statements
    ``definition([(key, code), ...])`` after the imports (``import library`` first when the
    module has none). None when a new name is one the module uses already."""
    module = _parse(text)
    if module is None or _bound_other_than_import(module, library):
        return None
    wrapper = MetadataWrapper(module)
    held = _literal_arguments(wrapper)
    if not held or _names(wrapper.module) & (new_names | {reference(k) for _, k, _ in held}):
        return None
    replacements: dict[cst.CSTNode, cst.CSTNode] = {
        node: cst.parse_expression(reference(key)) for node, key, _ in held
    }
    changed = _with_import(wrapper.module.visit(_Replace(replacements)), library)
    at = _after_imports(changed)
    lines = definition([(key, _code(node)) for node, key, _ in held])
    statements = [cst.parse_statement(line) for line in lines]
    new = changed.with_changes(body=[*changed.body[:at], *statements, *changed.body[at:]])
    first = _statement_line(new, at)
    variant = Variant(new.code)
    # Each value's line in the definitions: the first lines are a header when there are
    # more statements than values.
    header = sum(len(line.splitlines()) for line in lines) - len(held)
    for offset, (_, _, line) in enumerate(held):
        variant.moved.setdefault(line, set()).add(("", first + header + offset))
    return variant


def env_default(text: str, context: Context) -> Variant | None:
    """Literal host/port/user/password arguments -> module constants read from the
    environment with the literal as default (``MAIL_HOST = os.environ.get("MAIL_HOST",
    "smtp.office365.com")``, ``MAIL_PASSWORD = os.getenv("MAIL_PASSWORD", "...")``,
    ``MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))``). Keeps the meaning where the
    variables are unset (the names are new): the default is the literal's value."""

    def read(key: str, value: str) -> str:
        name = f"MAIL_{key.upper()}"
        if key.startswith("port"):
            return f'{name} = int(os.environ.get("{name}", {value}))\n'
        if key.startswith(("password", "user")):
            return f'{name} = os.getenv("{name}", {value})\n'
        return f'{name} = os.environ.get("{name}", {value})\n'

    return _hold_lines(
        text,
        lambda key: f"MAIL_{key.upper()}",
        lambda entries: [read(k, v) for k, v in entries],
        "os",
        set(),
    )


# 2. a settings dataclass with the literals as defaults


def settings_dataclass(text: str, context: Context) -> Variant | None:
    """Literal host/port/user/password arguments -> the defaults of a frozen dataclass's
    fields, one instance made at module level (``SETTINGS = MailSettings()``) and read as
    ``SETTINGS.host``. Keeps the meaning: a frozen instance's field made with no argument
    is its default, the literal's value (the class and the instance are new)."""

    def definition(entries: list[tuple[str, str]]) -> list[str]:
        fields = "".join(
            f"    {k}: {'int' if v.lstrip('-').isdigit() else 'str'} = {v}\n" for k, v in entries
        )
        return [
            f"@dataclasses.dataclass(frozen=True)\nclass MailSettings:\n{fields}",
            "SETTINGS = MailSettings()\n",
        ]

    variant = _hold_lines(
        text, lambda key: f"SETTINGS.{key}", definition, "dataclasses", {"SETTINGS", "MailSettings"}
    )
    if variant is not None:
        # The position of a class is its `class` line; its fields follow it.
        variant.moved = {
            line: {(w, at - 2) for w, at in places} for line, places in variant.moved.items()
        }
    return variant


# 3. keyword arguments gathered in a dict and spread with ``**``


class _Spill(cst.CSTTransformer):
    """Before each simple statement (or ``with``) holding a chosen call, bind what
    ``make`` says for it; ``make`` returns the bindings' code and the call's new form."""

    def __init__(self, make: Callable[[cst.Call], tuple[list[str], cst.Call] | None]) -> None:
        self.make = make
        self.pending: list[list[str]] = [[]]
        self.changed = False

    def _statements(self, node: cst.CSTNode) -> None:
        self.pending.append([])

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statements(node)

    def visit_With(self, node: cst.With) -> None:
        self._statements(node)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False  # a lambda's body runs later: nothing may be bound before it

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        return False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        made = self.make(updated)
        if made is None:
            return updated
        bindings, call = made
        self.pending[-1].extend(bindings)
        self.changed = True
        return call

    def _leave(self, updated: cst.BaseStatement) -> cst.BaseStatement | cst.FlattenSentinel:
        bindings = self.pending.pop()
        if not bindings:
            return updated
        statements = [cst.parse_statement(f"{b}\n") for b in bindings]
        return cst.FlattenSentinel([*statements, updated])

    def leave_SimpleStatementLine(self, original, updated):  # type: ignore[no-untyped-def]
        return self._leave(updated)

    def leave_With(self, original, updated):  # type: ignore[no-untyped-def]
        return self._leave(updated)


def _simple(value: cst.BaseExpression) -> bool:
    """An argument whose value moving one statement earlier cannot change: no call, no
    walrus, no yield or await."""
    return not any(
        isinstance(n, cst.Call | cst.NamedExpr | cst.Yield | cst.Await | cst.Lambda)
        for n in _walk(value)
    )


def _spill(
    text: str,
    make: Callable[[cst.Call, str, Callable[[str], str]], tuple[list[str], cst.Call] | None],
) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    chosen = {id(call): name for call, name in _global_clients(wrapper)}
    taken = _bound_names(wrapper.resolve(ScopeProvider).values()) | _names(wrapper.module)
    counter = [0]

    def fresh(base: str) -> str:
        counter[0] += 1
        name = f"{base}_{counter[0]}"
        while name in taken:
            counter[0] += 1
            name = f"{base}_{counter[0]}"
        taken.add(name)
        return name

    originals = {id(c): c for c in _walk(wrapper.module) if isinstance(c, cst.Call)}
    by_code: dict[str, str] = {}
    for key, name in chosen.items():
        by_code.setdefault(_code(originals[key]), name)

    def choose(call: cst.Call) -> tuple[list[str], cst.Call] | None:
        name = by_code.get(_code(call))
        return None if name is None else make(call, name, fresh)

    spiller = _Spill(choose)
    new = wrapper.module.visit(spiller)
    return Variant(new.code) if spiller.changed else None


def kwargs_dict(text: str, context: Context) -> Variant | None:
    """``smtplib.SMTP(host, 587, timeout=10)`` -> ``mail_params_1 = {"host": host, "port":
    587, "timeout": 10}`` on the line before and ``smtplib.SMTP(**mail_params_1)``. Keeps
    the meaning: each positional argument is the keyword of its parameter in the standard
    library's signature, the values are names, attributes or literals (no call) evaluated
    one statement earlier, and the dict's name is new and never written again."""

    def make(call: cst.Call, name: str, fresh: Callable[[str], str]):  # type: ignore[no-untyped-def]
        if _unknown_arguments(call) or not call.args:
            return None
        entries = []
        for index, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword else None
            if keyword is None:
                if index >= len(SIGNATURES[name]):
                    return None
                keyword = SIGNATURES[name][index]
            if not _simple(arg.value):
                return None
            entries.append(f'"{keyword}": {_code(arg.value)}')
        holder = fresh("mail_params")
        spread = cst.Arg(value=cst.Name(holder), star="**")
        return [f"{holder} = {{{', '.join(entries)}}}"], call.with_changes(args=[spread])

    return _spill(text, make)


def credentials_tuple(text: str, context: Context) -> Variant | None:
    """``server.login(user, password)`` on a standard library client -> ``credentials_1 =
    (user, password)`` on the line before and ``server.login(*credentials_1)``. Keeps the
    meaning: a starred tuple passes its items in order; the values are evaluated one
    statement earlier and hold no call."""
    module = _parse(text)
    if module is None:
        return None
    receivers = _stdlib_receivers(module, _constructors(module))
    taken = _names(module)
    counter = [0]

    def make(call: cst.Call) -> tuple[list[str], cst.Call] | None:
        func = call.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "login"
            and isinstance(func.value, cst.Name)
            and func.value.value in receivers
            and len(call.args) == 2
            and all(a.keyword is None and not a.star and _simple(a.value) for a in call.args)
        ):
            return None
        counter[0] += 1
        holder = f"credentials_{counter[0]}"
        if holder in taken:
            return None
        values = ", ".join(_code(a.value) for a in call.args)
        return [f"{holder} = ({values})"], call.with_changes(
            args=[cst.Arg(value=cst.Name(holder), star="*")]
        )

    spiller = _Spill(make)
    new = module.visit(spiller)
    return Variant(new.code) if spiller.changed else None


# 4. a host built from parts


def host_from_parts(text: str, context: Context) -> Variant | None:
    """A literal dotted host argument (``"smtp.office365.com"``) -> an f-string of its first
    label and a module constant holding the rest (``MAIL_DOMAIN = "office365.com"``;
    ``f"smtp.{MAIL_DOMAIN}"``). Keeps the meaning: the f-string's text is the literal's."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    hosts = [
        arg.value
        for arg, base in hoistable_arguments(wrapper.module)
        if base == "MAIL_HOST"
        and isinstance(arg.value, cst.SimpleString)
        and arg.value.prefix == ""
        and "." in arg.value.evaluated_value
        and "{" not in arg.value.evaluated_value
        and arg.value.quote in ('"', "'")
    ]
    if not hosts or _names(wrapper.module) & {"MAIL_DOMAIN"}:
        return None
    domains = {h.evaluated_value.split(".", 1)[1] for h in hosts}  # type: ignore[union-attr]
    if len(domains) != 1:
        return None
    domain = domains.pop()
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for host in hosts:
        label = host.evaluated_value.split(".", 1)[0]  # type: ignore[union-attr]
        replacements[host] = cst.parse_expression(f'f"{label}.{{MAIL_DOMAIN}}"')
    changed = wrapper.module.visit(_Replace(replacements))
    at = _after_imports(changed)
    line = cst.parse_statement(f"MAIL_DOMAIN = {domain!r}\n")
    new = changed.with_changes(body=[*changed.body[:at], line, *changed.body[at:]])
    return Variant(new.code)


# 5. the client's call through a wrapper, a partial or getattr


def passthrough_wrapper(text: str, context: Context) -> Variant | None:
    """``smtplib.SMTP(...)`` -> ``open_smtp(...)`` with ``def open_smtp(*args, **kwargs):
    return smtplib.SMTP(*args, **kwargs)`` after the imports. Keeps the meaning: the
    wrapper hands every argument on unchanged and returns the client (its name is new; the
    class is read from a module-level import)."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    names = _names(wrapper.module)
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    wrappers: dict[str, str] = {}
    for call, name in _global_clients(wrapper):
        spelled = _code(call.func)
        function = f"open_{name.lower()}"
        if function in names:
            return None
        wrappers[function] = spelled
        replacements[call.func] = cst.Name(function)
    if not replacements:
        return None
    changed = wrapper.module.visit(_Replace(replacements))
    at = _after_imports(changed)
    definitions = [
        cst.parse_statement(
            f"def {function}(*args, **kwargs):\n    return {spelled}(*args, **kwargs)\n"
        )
        for function, spelled in sorted(wrappers.items())
    ]
    new = changed.with_changes(body=[*changed.body[:at], *definitions, *changed.body[at:]])
    return Variant(new.code)


def partial_client(text: str, context: Context) -> Variant | None:
    """``smtplib.SMTP(host, 587)`` -> ``functools.partial(smtplib.SMTP, host)(587)``: the
    first argument bound by a partial, the rest given at the call. Keeps the meaning: a
    partial's call passes its bound arguments first, then the call's, keywords merged."""
    module = _parse(text)
    if module is None or _bound_other_than_import(module, "functools"):
        return None
    wrapper = MetadataWrapper(module)
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for call, _ in _global_clients(wrapper):
        if not call.args or call.args[0].star:
            continue
        first, rest = call.args[0], call.args[1:]
        bound = [cst.Arg(call.func), first.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        partial = cst.Call(cst.parse_expression("functools.partial"), args=bound)
        replacements[call] = call.with_changes(func=partial, args=rest)
    if not replacements:
        return None
    changed = wrapper.module.visit(_Replace(replacements))
    return Variant(_with_import(changed, "functools").code)


def getattr_class(text: str, context: Context) -> Variant | None:
    """``smtplib.SMTP_SSL(...)`` -> ``getattr(smtplib, "SMTP_SSL")(...)``. Keeps the
    meaning: ``getattr`` with a constant name reads the attribute the dotted name reads."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    if "getattr" in _bound_names(wrapper.resolve(ScopeProvider).values()):
        return None
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for call, _ in _global_clients(wrapper):
        func = call.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            replacements[func] = cst.parse_expression(
                f'getattr({func.value.value}, "{func.attr.value}")'
            )
    if not replacements:
        return None
    return Variant(wrapper.module.visit(_Replace(replacements)).code)


# 6. Python 2


_PRINT_CALL = re.compile(r"^(\s*)print\((.*)\)\s*$")
# Syntax Python 2 cannot read: the transform does not apply to a module using it.
_PYTHON3_ONLY = re.compile(
    r"""\b[fF][rR]?["']|:=|\basync\b|\bawait\b|\bnonlocal\b|->|\byield from\b|\*,|"""
    r"""^\s*(?:from __future__|@)|\bprint\s*\(.*\bfile\s*=|\bprint\b\s*[^\s(]""",
    re.M,
)


def python2_print(text: str, context: Context) -> Variant | None:
    """``print(x)`` alone on a line -> ``print x``: the module as Python 2 code (which
    Python 3 cannot parse). Keeps the meaning for Python 2, which the detector reads by
    translation: applied only when the module uses no syntax Python 2 lacks (f-strings,
    annotations of a return, ``async``, ``nonlocal``, keyword-only markers, decorators,
    ``__future__`` imports, a print with keywords) and each print is one call on its own
    line."""
    if _PYTHON3_ONLY.search(text) or _parse(text) is None:
        return None
    lines = text.splitlines(keepends=True)
    changed = False
    for index, line in enumerate(lines):
        match = _PRINT_CALL.match(line.rstrip("\n"))
        if match is None:
            continue
        inner = match.group(2)
        if inner.count("(") != inner.count(")") or inner.count("[") != inner.count("]"):
            continue
        try:
            ast.parse(inner.strip() or "None", mode="eval")
        except SyntaxError:
            return None  # ``print(x, end=" ")``: Python 3's print, which Python 2 lacks
        lines[index] = (
            f"{match.group(1)}print {inner}\n" if inner.strip() else f"{match.group(1)}print\n"
        )
        changed = True
    return Variant("".join(lines)) if changed else None


VALUES: dict[str, Transform] = {
    "env_default": env_default,
    "settings_dataclass": settings_dataclass,
    "kwargs_dict": kwargs_dict,
    "credentials_tuple": credentials_tuple,
    "host_from_parts": host_from_parts,
    "passthrough_wrapper": passthrough_wrapper,
    "partial_client": partial_client,
    "getattr_class": getattr_class,
    "python2_print": python2_print,
}
