"""Where a function or method of the module is called, for the values of its parameters.

A project's own wrapper around a mail client is called in many shapes: ``send(...)``,
``self.login(...)``, ``mailer.login(user, pw)`` on an instance made here,
``Mailer(host, port)`` for ``__init__``, a preset subclass's ``super().__init__(
"smtp.office365.com", 587, user, pw)`` or ``Mailer.__init__(self, ...)``. Each call
comes with whether it passes ``self`` itself (``Class.method(self, ...)``).
"""

from __future__ import annotations

import ast

from .symbols import FUNCTIONS, BindingKind, Symbols

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Callers:
    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self.parents = symbols.parents
        self._by_name: dict[str, list[ast.Call]] | None = None
        self._calls: dict[Function, list[tuple[ast.Call, bool]]] = {}
        self._methods: dict[str, list[tuple[ast.ClassDef, Function]]] | None = None
        # The names the module's classes are bound to: no other name reads a class here
        # (a ``BindingKind.CLASS`` binding, the only one whose node is a class, is made by
        # a ``class`` statement, and every one of the module's is in ``symbols.classes``).
        self.class_names = frozenset(klass.name for klass in symbols.classes)

    def of(self, function: Function) -> list[tuple[ast.Call, bool]]:
        """Calls of ``function`` in this module, each with whether it passes ``self``."""
        if function not in self._calls:
            self._calls[function] = self._find(function)
        return self._calls[function]

    def _find(self, function: Function) -> list[tuple[ast.Call, bool]]:
        klass = self.parents.get(function)
        if not isinstance(klass, ast.ClassDef):
            if isinstance(klass, ast.Module):
                return [(call, False) for call in self._index().get(function.name, [])]
            return []
        family = self._family(klass, function.name)
        found: list[tuple[ast.Call, bool]] = []
        for call in self._index().get(f".{function.name}", []):
            func = call.func
            assert isinstance(func, ast.Attribute)
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id == "self":
                if self._class_of(call) in family:
                    found.append((call, False))
            elif _is_super(owner):
                if self._class_of(call) in self.symbols.subclasses(klass):
                    found.append((call, False))
            elif isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name):
                made = self._class_named(owner.func) or self._own_class(owner.func)
                if made in family:
                    found.append((call, False))  # ``Relay().connect(...)``
            elif isinstance(owner, ast.Name):
                made = self._class_named(owner)
                if made is klass:
                    found.append((call, True))  # ``Mailer.__init__(self, ...)``
                elif made is None and self._instance_of(owner) in family:
                    found.append((call, False))  # ``mailer.login(...)``
        if function.name == "__init__":
            for call in self.symbols.calls:
                if isinstance(call.func, ast.Name) and self._class_named(call.func) in family:
                    found.append((call, False))  # ``Mailer(...)``, ``Preset(...)``
        return found

    def _index(self) -> dict[str, list[ast.Call]]:
        if self._by_name is None:
            self._by_name = {}
            for call in self.symbols.calls:
                func = call.func
                if isinstance(func, ast.Name):
                    self._by_name.setdefault(func.id, []).append(call)
                elif isinstance(func, ast.Attribute):
                    self._by_name.setdefault(f".{func.attr}", []).append(call)
        return self._by_name

    def _family(self, klass: ast.ClassDef, method: str) -> set[ast.ClassDef]:
        """The class and its subclasses here that inherit ``method`` from it."""
        family = {klass}
        pending = [klass]
        while pending:
            for child in self.symbols.subclasses(pending.pop()):
                defines = any(isinstance(s, FUNCTIONS) and s.name == method for s in child.body)
                if child not in family and not defines:
                    family.add(child)
                    pending.append(child)
        return family

    def _class_of(self, node: ast.AST) -> ast.ClassDef | None:
        function = self.symbols.enclosing_function(node)
        parent = self.parents.get(function) if function is not None else None
        return parent if isinstance(parent, ast.ClassDef) else None

    def _class_named(self, node: ast.AST) -> ast.ClassDef | None:
        if not isinstance(node, ast.Name) or node.id not in self.class_names:
            return None
        for binding in self.symbols.bindings(node):
            if binding.kind is BindingKind.CLASS and isinstance(binding.node, ast.ClassDef):
                return binding.node
        return None

    def instance_class(self, node: ast.expr) -> ast.ClassDef | None:
        """The class of this module an object is made from: a name bound to ``Mailer(...)``
        or the call ``Mailer(...)`` itself."""
        if isinstance(node, ast.Call):
            return self._class_named(node.func)
        return self._instance_of(node) if isinstance(node, ast.Name) else None

    def instance_method(self, func: ast.AST) -> Function | None:
        """The module's method ``obj.name`` runs when ``obj`` is an object of a class of
        the module (``job = Mailer()`` at module level or in the function, or ``Mailer()``
        itself), or a static or class method called on its class (``Mailer.connect()``):
        the class's own, else its bases' here, in lookup order."""
        if not isinstance(func, ast.Attribute) or not self.has_method(func.attr):
            return None
        klass = self.instance_class(func.value)
        if klass is not None:
            return self.lookup(klass, func.attr)
        klass = self._class_named(func.value)
        method = self.lookup(klass, func.attr) if klass is not None else None
        return method if method is not None and runs_on_class(method) else None

    def has_method(self, name: str) -> bool:
        """Whether a class of the module has a method ``name`` in its body: else no
        look-up of ``name`` on a class here finds one (every class of the module is in
        ``symbols.classes``)."""
        return name in self._methods_named()

    def lookup(self, klass: ast.ClassDef, name: str) -> Function | None:
        """The method ``name`` of ``klass``: its own, else its bases' of this module in the
        order Python looks them up (depth first, enough for single inheritance)."""
        seen: set[ast.ClassDef] = set()
        pending = [klass]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            methods = self.symbols.methods(current, name)
            if methods:
                return methods[0]
            bases = [self._class_named(base) for base in current.bases]
            pending[0:0] = [base for base in bases if base is not None]
        return None

    def record_method(self, func: ast.AST) -> Function | None:
        """The method of the class around the call that ``record.name(...)`` runs when the
        object is got at run time, not made here (an ORM's records: ``server =
        self.browse(...)`` then ``server._smtp_login(connection, ...)``, a loop over
        ``self.search(...)``, ``cls.default()``): the method of that name the class has, its
        own or a base's here, when no class outside that lineage defines one (which would
        run is then not known) and the object is no module the code imports."""
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return None
        defining = self._methods_named().get(func.attr)
        if not defining:
            return None  # most calls: ``logger.info(...)``, ``os.path.join(...)``
        receiver = func.value
        if receiver.id in ("self", "cls") or any(
            b.kind in (BindingKind.IMPORT, BindingKind.CLASS, BindingKind.DEF)
            for b in self.symbols.bindings(receiver)
        ):
            return None
        klass = self._class_of(receiver)
        lineage: list[ast.ClassDef] = []
        pending = [klass] if klass is not None else []
        while pending:  # the class, then its bases here, in lookup order
            current = pending.pop(0)
            if current not in lineage:
                lineage.append(current)
                bases = [self._class_named(base) for base in current.bases]
                pending[0:0] = [base for base in bases if base is not None]
        if any(other not in lineage for other, _ in defining):
            return None
        return min(defining, key=lambda found: lineage.index(found[0]))[1]

    def _methods_named(self) -> dict[str, list[tuple[ast.ClassDef, Function]]]:
        """The methods of the module's classes by name, each with its class."""
        if self._methods is None:
            self._methods = {}
            for klass in self.symbols.classes:
                for statement in klass.body:
                    if isinstance(statement, FUNCTIONS):
                        self._methods.setdefault(statement.name, []).append((klass, statement))
        return self._methods

    def _instance_of(self, node: ast.Name) -> ast.ClassDef | None:
        """The class of this module a name is made from (``mailer = Mailer(...)``)."""
        for binding, statement, value in self.symbols.bound_values(node):
            if (
                binding.kind is BindingKind.NAME
                and isinstance(statement, (ast.Assign, ast.AnnAssign))
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
            ):
                made = self._class_named(value.func) or self._own_class(value.func)
                if made is not None:
                    return made
        return None

    def _own_class(self, func: ast.Name) -> ast.ClassDef | None:
        """``cls(...)`` in a classmethod makes an object of the class (or a subclass)."""
        if func.id != "cls":
            return None
        function = self.symbols.enclosing_function(func)
        klass = self.parents.get(function) if function is not None else None
        return klass if isinstance(klass, ast.ClassDef) else None


def _is_super(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def runs_on_class(function: Function) -> bool:
    """A static or class method: its class runs it as an object would (``Mailer.connect()``)."""
    return any(
        isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
        for d in function.decorator_list
    )
