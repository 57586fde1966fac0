"""What a called expression may stand for when it is not written as the class itself.

Real code picks its mail client class at run time: an alias (``_meth = smtplib.SMTP``),
a conditional (``SMTP_SSL if ssl else SMTP``), a helper that returns one by port, a
class attribute that a subclass overrides (``transport = smtplib.SMTP_SSL``), a dict of
classes, ``getattr(smtplib, "SMTP_SSL")``. :class:`Referents` follows these within the
module and answers with every qualified name the expression may refer to.
"""

from __future__ import annotations

import ast

from .arguments import default_of, own_nodes
from .ast_walk import walk
from .class_members import PROPERTIES
from .forwarders import PARTIAL, own_method, pass_through
from .symbols import FUNCTIONS, Binding, BindingKind
from .values import Evaluator

_MAX_DEPTH = 12
Function = ast.FunctionDef | ast.AsyncFunctionDef


class Referents:
    def __init__(self, values: Evaluator) -> None:
        self.values = values
        self.parents = values.parents
        # _family(): asked for each ``self.x`` of a class (a test class: hundreds of times);
        # the classes of the module do not change.
        self._families: dict[ast.ClassDef, list[ast.ClassDef]] = {}

    def of(self, node: ast.AST) -> list[str]:
        """Qualified names ``node`` may refer to, in a stable order: the names it is
        written with first, then those of the classes it may be bound to."""
        found: dict[str, None] = {}
        self._collect(node, found, 0, set())
        return list(found)

    def conditional(self, node: ast.AST) -> ast.IfExp | None:
        """The conditional expression that picks what ``node`` refers to: ``node`` itself,
        or the one expression a name is assigned where it is read (``cls = SMTP_SSL if
        ssl else SMTP``)."""
        if isinstance(node, ast.Name):
            assigned = self._assigned(node)
            node = assigned[0] if len(assigned) == 1 else node
        return node if isinstance(node, ast.IfExp) else None

    def _collect(self, node: ast.AST, found: dict[str, None], depth: int, seen: set[int]) -> None:
        if depth > _MAX_DEPTH or id(node) in seen:
            return
        seen.add(id(node))
        for name, local in self.values.symbols.qualified_names(node):
            if not local:
                found.setdefault(name, None)
        if isinstance(node, ast.Name):
            for value in self._assigned(node):
                self._collect(value, found, depth + 1, seen)
            for binding in self.values.bindings(node):
                # ``def fetch(host, cls_imap=imaplib.IMAP4_SSL)``: the class unless a
                # caller hands another.
                default = self._default(binding)
                if default is not None:
                    self._collect(default, found, depth + 1, seen)
                # ``def open_smtp(*args, **kwargs): return smtplib.SMTP(*args, **kwargs)``
                through = (
                    pass_through(binding.node)
                    if isinstance(binding.node, ast.FunctionDef)
                    else None
                )
                if through is not None:
                    self._collect(through.callee, found, depth + 1, seen)
        elif isinstance(node, ast.IfExp):
            self._collect(node.body, found, depth + 1, seen)
            self._collect(node.orelse, found, depth + 1, seen)
        elif isinstance(node, ast.BoolOp):
            for operand in node.values:
                self._collect(operand, found, depth + 1, seen)
        elif isinstance(node, ast.Attribute):
            for value in self._members(node):
                self._collect(value, found, depth + 1, seen)
            method = own_method(self.values, node)
            through = pass_through(method, method=True) if method is not None else None
            if through is not None:
                self._collect(through.callee, found, depth + 1, seen)
            # ``self.connection(host, port)`` where ``connection`` is a property that
            # returns ``SMTP_SSL if self.ssl else SMTP``.
            getter = self._local_function(node)
            if getter is not None and any(
                self.values.qualified_names(d) & PROPERTIES for d in getter.decorator_list
            ):
                self._returns(getter, found, depth, seen)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Dict, ast.Name)):
            container = node.value
            if isinstance(container, ast.Name):
                assigned = [v for v in self._assigned(container) if isinstance(v, ast.Dict)]
                container = assigned[0] if assigned else container
            if isinstance(container, ast.Dict):
                for value in container.values:
                    self._collect(value, found, depth + 1, seen)
        elif isinstance(node, ast.Call):
            self._call(node, found, depth, seen)

    def _call(self, node: ast.Call, found: dict[str, None], depth: int, seen: set[int]) -> None:
        """``getattr(module, "Name")``, ``functools.partial(Class, ...)`` and local
        functions that return a class."""
        names = self.values.qualified_names(node.func)
        if PARTIAL in names and node.args:
            self._collect(node.args[0], found, depth + 1, seen)
            return
        if "builtins.getattr" in names and len(node.args) >= 2:
            # ``getattr(smtplib, "SMTP")``, ``getattr(smtplib, "SMTP_SSL" if ssl else
            # "SMTP")``, or the name held by a name (``method = "SMTP_SSL" if ...``)
            picked = node.args[1]
            if isinstance(picked, ast.IfExp):
                options = [self.values.evaluate(arm) for arm in (picked.body, picked.orelse)]
            else:
                attribute = self.values.evaluate(picked)
                options = [attribute] if attribute.known else list(attribute.choices or ())
            owners = [n for n, _ in self.values.symbols.qualified_names(node.args[0])]
            for option in options:
                if option.known and isinstance(option.value, str):
                    for owner in owners:
                        found.setdefault(f"{owner}.{option.value}", None)
            return
        function = self._local_function(node.func)
        if function is not None:
            self._returns(function, found, depth, seen)

    def _returns(
        self, function: Function, found: dict[str, None], depth: int, seen: set[int]
    ) -> None:
        for returned in own_nodes(function):
            if isinstance(returned, ast.Return) and returned.value is not None:
                self._collect(returned.value, found, depth + 1, seen)

    def _local_function(self, func: ast.AST) -> Function | None:
        if isinstance(func, ast.Name):
            for binding in self.values.bindings(func):
                if isinstance(binding.node, FUNCTIONS):
                    return binding.node
            return None
        if isinstance(func, ast.Attribute) and not self.values.callers.has_method(func.attr):
            return None  # no class here has a method of that name
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            klass = self.values.enclosing_class(func)
            for candidate in self._family(klass) if klass else []:
                methods = self.values.symbols.methods(candidate, func.attr)
                if methods:
                    return methods[0]
            return None
        # ``chooser.client_class(port)`` where ``chooser = Chooser()``.
        return self.values.callers.instance_method(func)

    def _default(self, binding: Binding) -> ast.expr | None:
        if binding.kind is not BindingKind.PARAM or not isinstance(binding.node, ast.arg):
            return None
        arguments = self.parents.get(binding.node)
        return default_of(binding.node, arguments) if isinstance(arguments, ast.arguments) else None

    def _assigned(self, node: ast.Name) -> list[ast.expr]:
        """The expressions assigned to a plain name where it is read (every binding of it
        that is an assignment: a choice made in ``if``/``else`` arms counts both ways),
        but for those an ``if`` around the read rules out: ``serverclass`` bound in ``if
        options.process: ... else: ...`` and called under ``if options.process:`` again
        is the first arm's class there."""
        found = self._bound_values(node)
        read = self._arms(node)
        if not read or len(found) < 2:
            return [value for value, _ in found]
        kept = [
            value
            for value, statement in found
            if not any(read.get(test, on) is not on for test, on in self._arms(statement).items())
        ]
        return kept or [value for value, _ in found]

    def _arms(self, node: ast.AST) -> dict[str, bool]:
        """The tests of the ``if`` statements ``node`` is under in its function, as
        written, each with whether ``node`` is on its body: those that read plain values
        (no call, which may answer differently the second time)."""
        arms: dict[str, bool] = {}
        child, parent = node, self.parents.get(node)
        while parent is not None and not isinstance(parent, (*FUNCTIONS, ast.ClassDef)):
            if isinstance(parent, ast.If) and child is not parent.test:
                test = parent.test
                if not any(isinstance(n, (ast.Call, ast.NamedExpr)) for n in walk(test)):
                    arms.setdefault(self.values.source(test), child in parent.body)
            child, parent = parent, self.parents.get(parent)
        return arms

    def _bound_values(self, node: ast.Name) -> list[tuple[ast.expr, ast.stmt]]:
        """The expressions assigned to a plain name, each with its assignment."""
        found: list[tuple[ast.expr, ast.stmt]] = []
        for binding in self.values.bindings(node):
            if binding.kind is not BindingKind.NAME:
                continue
            statement = self.parents.get(binding.node)
            if isinstance(statement, ast.Assign) and any(
                t is binding.node for t in statement.targets
            ):
                found.append((statement.value, statement))
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                found.append((statement.value, statement))
        return found

    def _members(self, node: ast.Attribute) -> list[ast.expr]:
        """``self.transport``, ``cls.transport``, ``Mailer.transport``: what the class, its
        bases and its subclasses in this module assign to that attribute."""
        owner = node.value
        klass = None
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            klass = self.values.enclosing_class(node)
        elif isinstance(owner, ast.Name):
            klass = self.values.class_named(owner)
        if klass is None:
            return []
        found: list[ast.expr] = []
        for candidate in self._family(klass):
            found += self.values.class_attributes(candidate).get(node.attr, [])
        return found

    def _family(self, klass: ast.ClassDef) -> list[ast.ClassDef]:
        """The class, its bases of this module (nearest first) and its subclasses here
        (the caller's to read, not to change)."""
        known = self._families.get(klass)
        if known is None:
            known = self._families[klass] = self._find_family(klass)
        return known

    def _find_family(self, klass: ast.ClassDef) -> list[ast.ClassDef]:
        family = [klass]
        current = klass
        while True:
            parent = next(
                (p for p in map(self.values.class_named, current.bases) if p is not None), None
            )
            if parent is None or parent in family:
                break
            family.append(parent)
            current = parent
        pending = [klass]
        while pending:
            for child in self.values.symbols.subclasses(pending.pop()):
                if child not in family:
                    family.append(child)
                    pending.append(child)
        return family
