"""Meaning-preserving rewrites of a Python module, for bench/metamorphic.py.

Each transform takes a module's text (and the names of the other Python files beside
it) and returns a :class:`Variant` (the new text, any new sibling modules, and where
moved text went) or None when it does not apply. Each is a small LibCST pass; each
keeps what the program does, as far as a static reading can tell: when it cannot be
sure (a name read by another scope it would change, a keyword the callee may not
take) it does not apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

SETTINGS_MODULE = "settings_mod"


@dataclass
class Variant:
    text: str
    # New modules beside the file: name -> text.
    extra: dict[str, str] = field(default_factory=dict)
    # Text that moved: an original line -> the variant's lines ("" = this file, else the
    # name of an extra module) where a finding about it may now be.
    moved: dict[int, set[tuple[str, int]]] = field(default_factory=dict)
    # The lines of ``moved`` in this file are the original's (mapped to the variant's by the
    # caller), not the variant's.
    moved_from_original: bool = False


@dataclass(frozen=True)
class Context:
    """What the transforms know of the file's surroundings."""

    siblings: frozenset[str] = frozenset()  # the other modules of its folder, by name
    imported: bool = False  # another file of the program imports it


Transform = Callable[[str, Context], Variant | None]

# The standard library's mail constructors and their positional parameters (3.10-3.13).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "SMTP": ("host", "port", "local_hostname"),
    "SMTP_SSL": ("host", "port", "local_hostname"),
    "LMTP": ("host", "port", "local_hostname"),
    "IMAP4": ("host", "port"),
    "IMAP4_SSL": ("host", "port"),
    "POP3": ("host", "port"),
    "POP3_SSL": ("host", "port"),
    "SMTPHandler": ("mailhost", "fromaddr", "toaddrs", "subject", "credentials", "secure"),
}
# Modules whose import style is varied (their names are plain, not dotted).
_ALIASES = {
    "smtplib": "sm",
    "imaplib": "im",
    "poplib": "pl",
    "ssl": "tls",
    "aiosmtplib": "asm",
    "imaplib2": "im2",
}
STDLIB_MAIL = tuple(_ALIASES)
_CLOSERS = {"SMTP": "quit", "SMTP_SSL": "quit", "IMAP4": "logout", "IMAP4_SSL": "logout"}
_HOISTED = {
    "host": "MAIL_HOST",
    "mailhost": "MAIL_HOST",
    "server": "MAIL_HOST",
    "port": "MAIL_PORT",
    "user": "MAIL_USER",
    "username": "MAIL_USER",
    "password": "MAIL_PASSWORD",
    "passwd": "MAIL_PASSWORD",
}
_SELF_NAMES = frozenset({"self", "cls"})
_DYNAMIC = re.compile(r"\b(locals|vars|eval|exec|globals)\s*\(")


def _parse(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


_CONSTRUCTOR_MODULES = ("smtplib", "imaplib", "poplib", "logging.handlers")


def _constructors(module: cst.Module) -> dict[str, str]:
    """How the module spells the standard library's mail constructors: ``SMTP``,
    ``smtplib.SMTP``, ``sm.SMTP`` -> ``SMTP`` (only those imported from their module)."""
    spelled: dict[str, str] = {}
    for node in _walk(module):
        if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
            source = cst.Module([]).code_for_node(node.module)
            if source in _CONSTRUCTOR_MODULES and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    name = cst.Module([]).code_for_node(alias.name)
                    local = alias.asname.name.value if alias.asname else name  # type: ignore[union-attr]
                    if name in SIGNATURES:
                        spelled[local] = name
        elif isinstance(node, cst.Import):
            for alias in node.names:
                source = cst.Module([]).code_for_node(alias.name)
                if source in _CONSTRUCTOR_MODULES:
                    local = alias.asname.name.value if alias.asname else source  # type: ignore[union-attr]
                    spelled.update({f"{local}.{name}": name for name in SIGNATURES})
    return spelled


def _constructor(func: cst.BaseExpression, spelled: dict[str, str]) -> str | None:
    if isinstance(func, cst.Name | cst.Attribute):
        return spelled.get(cst.Module([]).code_for_node(func))
    return None


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.Integer | cst.ConcatenatedString):
        return True
    return isinstance(node, cst.UnaryOperation) and isinstance(node.expression, cst.Integer)


def _line(positions, node: cst.CSTNode) -> int:
    return positions[node].start.line


class _Replace(cst.CSTTransformer):
    """Replace nodes by identity (``Name`` and ``Attribute`` nodes found by a reading)."""

    def __init__(self, replacements: dict[cst.CSTNode, cst.BaseExpression]) -> None:
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        new = self.replacements.get(original_node, updated_node)
        # The parentheses around a name are the name's own (``if(x):``): kept.
        if new is not updated_node and getattr(original_node, "lpar", None):
            if hasattr(new, "lpar") and not new.lpar:
                new = new.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)
        return new


# 1. alpha-renaming of a function's locals and parameters


def rename_locals(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None or _DYNAMIC.search(text) or "nonlocal" in text:
        return None
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    positions = wrapper.resolve(PositionProvider)
    keywords = {
        node.keyword.value
        for node in _walk(wrapper.module)
        if isinstance(node, cst.Arg) and node.keyword is not None
    }
    taken = _bound_names(scopes.values()) | {
        n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)
    }
    replacements: dict[cst.CSTNode, cst.BaseExpression] = {}
    functions = {id(s): s for s in scopes.values() if isinstance(s, FunctionScope)}
    ordered = sorted(
        functions.values(),
        key=lambda s: (positions[s.node].start.line, positions[s.node].start.column),
    )
    counter = 0
    for scope in ordered:
        by_name: dict[str, list[cst.CSTNode]] = {}
        for assignment in scope.assignments:
            node = getattr(assignment, "node", None)
            if node is None:
                by_name[assignment.name] = [cst.Pass()]  # an import or a def: kept
                continue
            nodes = by_name.setdefault(assignment.name, [])
            nodes.append(node)
            nodes.extend(r.node for r in assignment.references)
        for name in sorted(by_name):
            nodes = by_name[name]
            # A parameter a caller may pass by keyword keeps its name (a caller in another
            # file, when another file imports the module: that file is not read here).
            if name in _SELF_NAMES or name in keywords:
                continue
            if context.imported and any(isinstance(n, cst.Param) for n in nodes):
                continue
            if any(not isinstance(n, cst.Name | cst.Param) for n in nodes):
                continue
            counter += 1
            new = f"v{counter}_{name[:1]}"
            while new in taken:
                counter += 1
                new = f"v{counter}_{name[:1]}"
            for node in nodes:
                target = node.name if isinstance(node, cst.Param) else node
                replacements[target] = cst.Name(new)
    if not replacements:
        return None
    return Variant(wrapper.module.visit(_Replace(replacements)).code)


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


# 2. a literal host/port/user/password argument -> a module constant, and back


def hoist_literals(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    positions = wrapper.resolve(PositionProvider)
    taken = {n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)}
    hoisted: list[tuple[str, cst.BaseExpression, int]] = []
    replacements: dict[cst.CSTNode, cst.BaseExpression] = {}
    for arg, base in hoistable_arguments(wrapper.module):
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        hoisted.append((name, arg.value, _line(positions, arg.value)))
        replacements[arg.value] = cst.Name(name)
    if not hoisted:
        return None
    changed = wrapper.module.visit(_Replace(replacements))
    at = _after_imports(changed)
    lines = [
        cst.parse_statement(f"{name} = {cst.Module([]).code_for_node(value)}\n")
        for name, value, _ in sorted(hoisted, key=lambda h: h[2])
    ]
    body = [*changed.body[:at], *lines, *changed.body[at:]]
    new = changed.with_changes(body=body)
    first = _statement_line(new, at)
    variant = Variant(new.code)
    for offset, (_, _, line) in enumerate(sorted(hoisted, key=lambda h: h[2])):
        variant.moved.setdefault(line, set()).add(("", first + offset))
    return variant


def _after_imports(module: cst.Module) -> int:
    """The index of the first statement after the docstring, imports and __future__."""
    at = 0
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom)
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString) and index == 0)
            for s in statement.body
        ):
            at = index + 1
        else:
            break
    return at


def _statement_line(module: cst.Module, index: int) -> int:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    statement = module.body[index]
    return positions[statement].start.line


def _module_constants(wrapper: MetadataWrapper) -> dict[str, tuple[cst.Assign, object]]:
    """Module-level names assigned once, to a literal, never rebound (global or else)."""
    scopes = wrapper.resolve(ScopeProvider)
    found: dict[str, tuple[cst.Assign, object]] = {}
    global_scope = scopes[wrapper.module]
    assert isinstance(global_scope, GlobalScope)
    for statement in wrapper.module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        assign = statement.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            continue
        target = assign.targets[0].target
        if not isinstance(target, cst.Name) or not _is_literal(assign.value):
            continue
        assignments = list(global_scope.assignments[target.value])
        if len(assignments) != 1 or target.value.startswith("__"):
            continue
        found[target.value] = (assign, assignments[0])
    return found


def inline_constants(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    positions = wrapper.resolve(PositionProvider)
    # A string inside an f-string's braces needs other quotes before Python 3.12.
    in_fstrings = {
        id(n) for f in _walk(wrapper.module) if isinstance(f, cst.FormattedString) for n in _walk(f)
    }
    replacements: dict[cst.CSTNode, cst.BaseExpression] = {}
    moved: dict[int, set[tuple[str, int]]] = {}
    for _, (assign, assignment) in _module_constants(wrapper).items():
        references = [r.node for r in assignment.references]  # type: ignore[attr-defined]
        if not references or any(not isinstance(n, cst.Name) for n in references):
            continue
        if any(id(n) in in_fstrings for n in references):
            continue
        for node in references:
            replacements[node] = assign.value
            for line in {_line(positions, assign), _line(positions, assign.value)}:
                moved.setdefault(line, set()).add(("", _line(positions, node)))
        # Inlining deletes the definition, read by nothing now, unless another module may
        # import it.
        if not context.imported:
            replacements[_statement_of(wrapper, assign)] = cst.RemovalSentinel.REMOVE  # type: ignore[assignment]
    if not replacements:
        return None
    code = wrapper.module.visit(_Replace(replacements)).code
    return Variant(code, moved=moved, moved_from_original=True)


# 3. module constants -> a sibling settings module


def _to_settings(text: str, context: Context, alias: str | None) -> Variant | None:
    if SETTINGS_MODULE in context.siblings:
        return None
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    positions = wrapper.resolve(PositionProvider)
    constants = _module_constants(wrapper)
    # A reference that is not a plain read (del, augassign) stays; so does a constant the
    # module never reads, which only a reader of the module's names sees (Django's
    # settings): ``cfg.NAME`` would leave the module without it.
    if alias is not None:
        constants = {
            name: c
            for name, c in constants.items()
            if c[1].references  # type: ignore[attr-defined]
            and all(isinstance(r.node, cst.Name) for r in c[1].references)  # type: ignore[attr-defined]
        }
    if not constants:
        return None
    settings: list[str] = []
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    moved: dict[int, set[tuple[str, int]]] = {}
    imported = False
    for name, (assign, assignment) in constants.items():
        code = cst.Module([]).code_for_node(assign.value)
        settings.append(f"{name} = {code}")
        line = _line(positions, assign)
        moved.setdefault(line, set()).add((SETTINGS_MODULE + ".py", len(settings)))
        statement = _statement_of(wrapper, assign)
        if alias is None:
            replacements[statement] = cst.parse_statement(f"from {SETTINGS_MODULE} import {name}\n")
        else:
            replacements[statement] = (
                cst.RemovalSentinel.REMOVE
                if imported
                else cst.parse_statement(f"import {SETTINGS_MODULE} as {alias}\n")
            )
            imported = True
            for reference in assignment.references:  # type: ignore[attr-defined]
                replacements[reference.node] = cst.Attribute(cst.Name(alias), cst.Name(name))
    if alias is not None and alias in {
        n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)
    }:
        return None
    new = wrapper.module.visit(_Replace(replacements))  # type: ignore[arg-type]
    return Variant(new.code, {SETTINGS_MODULE + ".py": "\n".join(settings) + "\n"}, moved)


def _statement_of(wrapper: MetadataWrapper, node: cst.CSTNode) -> cst.CSTNode:
    parents = wrapper.resolve(ParentNodeProvider)
    while not isinstance(node, cst.SimpleStatementLine):
        node = parents[node]
    return node


def constants_from_settings(text: str, context: Context) -> Variant | None:
    return _to_settings(text, context, None)


def constants_through_alias(text: str, context: Context) -> Variant | None:
    return _to_settings(text, context, "cfg")


# 4. a script's top-level statements (or its __main__ block) -> def main()


def _is_main_test(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.If)
        and isinstance(node.test, cst.Comparison)
        and isinstance(node.test.left, cst.Name)
        and node.test.left.value == "__name__"
    )


def _is_definition(statement: cst.CSTNode) -> bool:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return True
    if isinstance(statement, cst.SimpleStatementLine):
        return all(
            isinstance(s, cst.Import | cst.ImportFrom)
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString))
            for s in statement.body
        )
    return False


def wrap_main(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None or _DYNAMIC.search(text) or re.search(r"^\s*global\b", text, re.M):
        return None
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    body = list(wrapper.module.body)
    main_block = next((s for s in body if _is_main_test(s)), None)
    if "main" in {n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)}:
        return None
    if main_block is not None:
        assert isinstance(main_block, cst.If)
        if main_block.orelse is not None:
            return None
        moved = list(main_block.body.body)
        start = body.index(main_block)
    else:
        if context.imported:  # its top-level names are its importers' too
            return None
        start = len(body)
        while start > 0 and not _is_definition(body[start - 1]):
            start -= 1
        moved = body[start:]
        if not any(
            isinstance(s, cst.SimpleStatementLine)
            and any(isinstance(e, cst.Expr) and isinstance(e.value, cst.Call) for e in s.body)
            for s in moved
        ):
            return None
    if not moved:
        return None
    # A name the moved statements bind and another scope reads would become main's local.
    global_scope = scopes[wrapper.module]
    for node in moved:
        for inner in _walk(node):
            if isinstance(inner, cst.FunctionDef | cst.ClassDef):
                return None
    bound = set()
    for assignment in global_scope.assignments:
        node = getattr(assignment, "node", None)
        if node is not None and any(node is n or _contains(m, node) for m in moved for n in [m]):
            bound.add(assignment.name)
            # An upper-case name nothing here reads is a setting a reader of the module's
            # names takes (Django, Flask, Celery settings): as main's local it is gone.
            if assignment.name.isupper() and not assignment.references:
                return None
            for reference in assignment.references:
                if scopes.get(reference.node) is not global_scope:
                    return None
                if not any(_contains(m, reference.node) for m in moved):
                    return None
    function = cst.FunctionDef(
        name=cst.Name("main"),
        params=cst.Parameters(),
        body=cst.IndentedBlock(body=moved),  # type: ignore[arg-type]
    )
    call = cst.parse_statement('if __name__ == "__main__":\n    main()\n')
    if main_block is not None:
        new_body = [*body[:start], function, call, *body[start + 1 :]]
    else:
        new_body = [*body[:start], function, call]
    return Variant(wrapper.module.with_changes(body=new_body).code)


def _contains(root: cst.CSTNode, node: cst.CSTNode) -> bool:
    return any(n is node for n in _walk(root))


# 5. a module function -> a method of a class, called through an instance


def function_to_method(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None or context.imported:  # an importer may name the function
        return None
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[wrapper.module]
    names = {n.value for n in _walk(wrapper.module) if isinstance(n, cst.Name)}
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    new_body: list[cst.CSTNode] = []
    for statement in wrapper.module.body:
        if (
            not isinstance(statement, cst.FunctionDef)
            or statement.decorators
            or statement.asynchronous is not None
            or statement.name.value.startswith("__")
        ):
            new_body.append(statement)
            continue
        name = statement.name.value
        assignments = list(global_scope.assignments[name])
        class_name = "".join(p.title() for p in name.split("_") if p) + "Job"
        instance = f"{name}_job"
        references = [r.node for a in assignments for r in a.references]
        if (
            len(assignments) != 1
            or not references
            or class_name in names
            or instance in names
            or any(not isinstance(n, cst.Name) for n in references)
        ):
            new_body.append(statement)
            continue
        if "self" in {p.name.value for p in statement.params.params}:
            new_body.append(statement)
            continue
        for node in references:
            replacements[node] = cst.Attribute(cst.Name(instance), cst.Name(name))
        new_body.append((class_name, instance))  # type: ignore[arg-type]
    if not replacements:
        return None
    changed = wrapper.module.visit(_Replace(replacements))
    body: list[cst.CSTNode] = []
    for original, current in zip(new_body, changed.body, strict=True):
        if isinstance(original, tuple):
            class_name, instance = original
            params = current.params  # type: ignore[attr-defined]
            params = params.with_changes(params=[cst.Param(cst.Name("self")), *params.params])
            method = current.with_changes(params=params, leading_lines=())  # type: ignore[attr-defined]
            body.append(
                cst.ClassDef(
                    name=cst.Name(class_name),
                    body=cst.IndentedBlock(body=[method]),
                    leading_lines=current.leading_lines,  # type: ignore[attr-defined]
                )
            )
            body.append(cst.parse_statement(f"{instance} = {class_name}()\n"))
        else:
            body.append(current)
    return Variant(changed.with_changes(body=body).code)


# 6. import style: `import smtplib` <-> `from smtplib import SMTP` <-> `import smtplib as sm`


def _module_imports(wrapper: MetadataWrapper, name: str) -> list[cst.Import]:
    return [
        s
        for s in _walk(wrapper.module)
        if isinstance(s, cst.Import)
        and any(
            isinstance(a.name, cst.Name) and a.name.value == name and a.asname is None
            for a in s.names
        )
    ]


def _bound_names(scopes: Iterable[object]) -> set[str]:
    """Every name bound or read in any scope (not attribute names or keywords)."""
    names: set[str] = set()
    for scope in {id(s): s for s in scopes if s is not None}.values():
        names.update(a.name for a in scope.assignments)  # type: ignore[attr-defined]
        names.update(
            a.node.value
            for a in scope.accesses
            if isinstance(a.node, cst.Name)  # type: ignore[attr-defined]
        )
    return names


def _import_style(text: str, alias: str | None) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    names = _bound_names(wrapper.resolve(ScopeProvider).values())
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for library, statement, references, attributes in used_through_attributes(wrapper, STDLIB_MAIL):
        used = sorted({a.attr.value for a in attributes})
        if alias is None:
            if not used or any(u in names for u in used):
                continue
            names.update(used)
            replacements[_statement_of(wrapper, statement)] = cst.parse_statement(
                f"from {library} import {', '.join(used)}\n"
            )
            for attribute in attributes:
                replacements[attribute] = cst.Name(attribute.attr.value)  # type: ignore[union-attr]
        else:
            short = _ALIASES[library]
            if short in names:
                continue
            names.add(short)
            replacements[_statement_of(wrapper, statement)] = cst.parse_statement(
                f"import {library} as {short}\n"
            )
            for node in references:
                replacements[node] = cst.Name(short)
    if not replacements:
        return None
    return Variant(wrapper.module.visit(_Replace(replacements)).code)


def hoistable_arguments(module: cst.Module) -> Iterator[tuple[cst.Arg, str]]:
    """The literal arguments of the standard library's mail constructors and of ``login``
    on their objects, each with the setting name its parameter stands for
    (:data:`_HOISTED`)."""
    spelled = _constructors(module)
    receivers = _stdlib_receivers(module, spelled)
    for node in _walk(module):
        if not isinstance(node, cst.Call):
            continue
        parameters = _parameters(node, receivers, spelled, keep_handler=True)
        for index, arg in enumerate(node.args if parameters else ()):
            if arg.star or not _is_literal(arg.value):
                continue
            keyword = arg.keyword.value if arg.keyword else None
            if keyword is None and index < len(parameters):
                keyword = parameters[index]
            base = _HOISTED.get(keyword or "")
            if base is not None:
                yield arg, base


def used_through_attributes(
    wrapper: MetadataWrapper, libraries: Iterable[str]
) -> Iterator[tuple[str, cst.Import, list[cst.Name], list[cst.Attribute]]]:
    """Each of ``libraries`` that the module imports once (``import smtplib``) and reads
    only as ``smtplib.NAME``: its import, the references to it, the attributes read."""
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[wrapper.module]
    parents = wrapper.resolve(ParentNodeProvider)
    for library in libraries:
        imports = _module_imports(wrapper, library)
        if len(imports) != 1 or len(imports[0].names) != 1:
            continue
        assignments = list(global_scope.assignments[library])
        if len(assignments) != 1:
            continue
        references = [r.node for r in assignments[0].references]
        attributes = [parents.get(n) for n in references]
        if any(
            not isinstance(a, cst.Attribute) or a.value is not n
            for a, n in zip(attributes, references, strict=True)
        ):
            continue
        yield library, imports[0], references, attributes  # type: ignore[misc]


def import_names_from(text: str, context: Context) -> Variant | None:
    return _import_style(text, None)


def import_module_as(text: str, context: Context) -> Variant | None:
    return _import_style(text, "alias")


def import_module_instead(text: str, context: Context) -> Variant | None:
    """``from smtplib import SMTP`` -> ``import smtplib`` and ``smtplib.SMTP``."""
    module = _parse(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    global_scope = scopes[wrapper.module]
    names = _bound_names(scopes.values())
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for statement in wrapper.module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        imported = statement.body[0]
        if (
            not isinstance(imported, cst.ImportFrom)
            or not isinstance(imported.module, cst.Name)
            or imported.module.value not in STDLIB_MAIL
            or imported.relative
            or isinstance(imported.names, cst.ImportStar)
            or imported.module.value in names
        ):
            continue
        library = imported.module.value
        plain = [a for a in imported.names if a.asname is None and isinstance(a.name, cst.Name)]
        if len(plain) != len(imported.names):
            continue
        ok = True
        local: dict[cst.CSTNode, cst.CSTNode] = {}
        for alias in plain:
            assignments = list(global_scope.assignments[alias.name.value])  # type: ignore[union-attr]
            if len(assignments) != 1:
                ok = False
                break
            for reference in assignments[0].references:
                if not isinstance(reference.node, cst.Name):
                    ok = False
                local[reference.node] = cst.Attribute(
                    cst.Name(library), cst.Name(reference.node.value)
                )  # type: ignore[attr-defined]
        if ok:
            replacements.update(local)
            replacements[statement] = cst.parse_statement(f"import {library}\n")
    if not replacements:
        return None
    return Variant(wrapper.module.visit(_Replace(replacements)).code)


# 7. keyword <-> positional arguments of the standard library's mail constructors and logins


def _stdlib_receivers(module: cst.Module, spelled: dict[str, str]) -> set[str]:
    """Names only ever bound to a standard library mail constructor's result."""
    bound: dict[str, set[bool]] = {}
    for node in _walk(module):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    made = (
                        isinstance(node.value, cst.Call)
                        and _constructor(node.value.func, spelled) in _CLOSERS
                    )
                    bound.setdefault(target.target.value, set()).add(made)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            target = node.asname.name
            if isinstance(target, cst.Name):
                made = (
                    isinstance(node.item, cst.Call)
                    and _constructor(node.item.func, spelled) in _CLOSERS
                )
                bound.setdefault(target.value, set()).add(made)
    return {name for name, made in bound.items() if made == {True}}


def _parameters(
    call: cst.Call, receivers: set[str], spelled: dict[str, str], keep_handler: bool = False
) -> tuple[str, ...]:
    name = _constructor(call.func, spelled)
    if name is not None and (keep_handler or name != "SMTPHandler"):
        return SIGNATURES[name]
    if (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "login"
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value in receivers
    ):
        return ("user", "password")
    return ()


def _arguments(text: str, to_keywords: bool) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    spelled = _constructors(module)
    receivers = _stdlib_receivers(module, spelled)
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for node in _walk(module):
        if not isinstance(node, cst.Call):
            continue
        parameters = _parameters(node, receivers, spelled)
        if not parameters or any(a.star for a in node.args):
            continue
        args = list(node.args)
        if to_keywords:
            positional = [a for a in args if a.keyword is None]
            if not positional or len(positional) > len(parameters):
                continue
            new_args = [
                a.with_changes(
                    keyword=cst.Name(parameters[i]),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                )
                if a.keyword is None
                else a
                for i, a in enumerate(args)
            ]
        else:
            by_keyword = {a.keyword.value: a for a in args if a.keyword is not None}
            positional = [a for a in args if a.keyword is None]
            order = list(parameters[len(positional) :])
            moved = []
            for parameter in order:
                if parameter not in by_keyword:
                    break
                moved.append(by_keyword.pop(parameter))
            if not moved:
                continue
            plain = [m.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for m in moved]
            new_args = [*positional, *plain, *by_keyword.values()]
            new_args = [
                a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(new_args) - 1 else a
                for i, a in enumerate(new_args)
            ]
        replacements[node] = node.with_changes(args=new_args)
    if not replacements:
        return None
    return Variant(module.visit(_Replace(replacements)).code)


def arguments_by_keyword(text: str, context: Context) -> Variant | None:
    return _arguments(text, True)


def arguments_by_position(text: str, context: Context) -> Variant | None:
    return _arguments(text, False)


# 8. `x = SMTP(...); ...; x.quit()` -> `with SMTP(...) as x: ...`


def _closing_call(statement: cst.CSTNode, name: str, method: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    expr = statement.body[0]
    return (
        isinstance(expr, cst.Expr)
        and isinstance(expr.value, cst.Call)
        and not expr.value.args
        and isinstance(expr.value.func, cst.Attribute)
        and expr.value.func.attr.value == method
        and isinstance(expr.value.func.value, cst.Name)
        and expr.value.func.value.value == name
    )


class _WithBlocks(cst.CSTTransformer):
    def __init__(self, spelled: dict[str, str]) -> None:
        self.changed = 0
        self.spelled = spelled

    def _rewrite(self, statements: list[cst.CSTNode]) -> list[cst.CSTNode]:
        out: list[cst.CSTNode] = []
        index = 0
        while index < len(statements):
            statement = statements[index]
            opened = self._opened(statement)
            if opened is not None:
                name, call, method = opened
                end = next(
                    (
                        j
                        for j in range(index + 1, len(statements))
                        if _closing_call(statements[j], name, method)
                    ),
                    None,
                )
                rest = statements[end + 1 :] if end is not None else []
                if end is not None and end > index + 1 and not _mentions(rest, name):
                    body = statements[index + 1 : end]
                    out.append(
                        cst.With(
                            items=[cst.WithItem(call, asname=cst.AsName(cst.Name(name)))],
                            body=cst.IndentedBlock(body=body),  # type: ignore[arg-type]
                            leading_lines=statement.leading_lines,  # type: ignore[attr-defined]
                        )
                    )
                    self.changed += 1
                    index = end + 1
                    continue
            out.append(statement)
            index += 1
        return out

    def _opened(self, statement: cst.CSTNode) -> tuple[str, cst.Call, str] | None:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            return None
        assign = statement.body[0]
        if (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(assign.value, cst.Call)
            and _constructor(assign.value.func, self.spelled) in _CLOSERS
        ):
            method = _CLOSERS[_constructor(assign.value.func, self.spelled) or ""]
            return assign.targets[0].target.value, assign.value, method
        return None

    def leave_IndentedBlock(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        return updated_node.with_changes(body=self._rewrite(list(updated_node.body)))

    def leave_Module(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        return updated_node.with_changes(body=self._rewrite(list(updated_node.body)))


def _mentions(statements: list[cst.CSTNode], name: str) -> bool:
    return any(isinstance(n, cst.Name) and n.value == name for s in statements for n in _walk(s))


def with_statement(text: str, context: Context) -> Variant | None:
    module = _parse(text)
    if module is None:
        return None
    rewriter = _WithBlocks(_constructors(module))
    new = module.visit(rewriter)
    return Variant(new.code) if rewriter.changed else None


TRANSFORMS: dict[str, Transform] = {
    "rename_locals": rename_locals,
    "hoist_literals": hoist_literals,
    "inline_constants": inline_constants,
    "settings_from_import": constants_from_settings,
    "settings_module_alias": constants_through_alias,
    "wrap_main": wrap_main,
    "function_to_method": function_to_method,
    "import_names_from": import_names_from,
    "import_module_as": import_module_as,
    "import_module_instead": import_module_instead,
    "arguments_by_keyword": arguments_by_keyword,
    "arguments_by_position": arguments_by_position,
    "with_statement": with_statement,
}
