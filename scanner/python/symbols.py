"""One pass over a module's ``ast``: parents, scopes, name bindings, and the nodes the
front end looks at (calls, assignments, returns, classes), in source order.

This is the light scope analysis the value evaluator needs, with Python's rules:
a name bound anywhere in a function is local to it (unless declared ``global`` or
``nonlocal``), class bodies are not visible from the functions inside them,
comprehensions have their own scope (their first iterable belongs to the enclosing
one), and a name nobody binds is a builtin or nothing. Qualified names follow
imports (``from smtplib import SMTP as S``: ``S`` is ``smtplib.SMTP``); local
definitions are named after where they live (``f.<locals>.g``, ``Mailer.send``).

The walk keeps its own stack, so modules nested deeper than Python's recursion limit
(long generated expressions) are walked like any other.
"""

from __future__ import annotations

import ast
import builtins
import sys
import weakref
from collections.abc import Callable, Container
from dataclasses import field
from enum import Enum
from functools import lru_cache

from ..adapter_markers import BUNDLED_LIBRARIES
from ..records import plain
from .delegated_calls import delegate
from .mail_libraries import STANDARD_MAIL_MODULES

_BUILTINS = frozenset(dir(builtins))
# Modules of the standard library, by the name they are imported as: a name nobody binds
# that is one of these (``smtplib``, ``ssl``, ``os``) means the module.
_STANDARD_MODULES = frozenset(n for n in sys.stdlib_module_names if n[0] != "_") - _BUILTINS
# The first parts of qualified names that never name a module of the project: the
# standard library's modules and the builtins (``print`` is ``builtins.print``).
NOT_THE_PROJECT = frozenset(sys.stdlib_module_names) | {"builtins"}
# Modules that stand in for a standard module with its API (a backport, a cooperative
# copy): ``from backports import ssl`` then ``ssl.SSLContext`` is ``ssl.SSLContext``.
_STAND_INS = {
    "backports.ssl": "ssl",
    "gevent.ssl": "ssl",
    "eventlet.green.ssl": "ssl",
    "eventlet.green.smtplib": "smtplib",
    # IMAPClient 1.x's own factory: the standard one's verifying context, on its backport.
    "imapclient.create_default_context": "ssl.create_default_context",
    "imapclient.tls.create_default_context": "ssl.create_default_context",
}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
TRIES = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))
# Statements that hold blocks of statements (other than definitions).
BLOCK_STATEMENTS = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Match,
    *TRIES,
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class BindingKind(Enum):
    NAME = "name"  # assignment, for/with target, walrus, except name, match capture
    PARAM = "param"
    IMPORT = "import"
    DEF = "def"
    CLASS = "class"


class Binding:
    """One place that binds a name: ``node`` is the target ``Name``, the ``arg``, the
    ``def``/``class``, or the import statement (``alias`` holds the imported name)."""

    __slots__ = ("name", "kind", "node", "_scope", "position", "imported")

    def __init__(
        self,
        name: str,
        kind: BindingKind,
        node: ast.AST,
        scope: Scope,
        position: tuple[int, int],
        imported: str | None = None,  # for imports: the qualified name bound (``smtplib.SMTP``)
    ) -> None:
        self.name = name
        self.kind = kind
        self.node = node
        # Weak: the scope holds its bindings, and a strong link back made every scope a
        # reference cycle that kept the module's whole analysis for the cyclic collector.
        # A binding is only reached through its scope, so the scope outlives the question.
        self._scope = weakref.ref(scope)
        self.position = position
        self.imported = imported

    @property
    def scope(self) -> Scope:
        scope = self._scope()
        assert scope is not None, "a binding is reached through its scope"
        return scope


@plain
class Scope:
    """A scope (the module, a class, a function, a lambda, a comprehension): the names
    bound in it and those it declares ``global`` or ``nonlocal``."""

    kind: str  # "module", "class", "function", "lambda", "comprehension"
    node: ast.AST
    parent: Scope | None
    prefix: str  # how local names are qualified: "", "Mailer.", "send.<locals>."
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Symbols:
    def __init__(self, tree: ast.Module, own_modules: Container[str] = frozenset()) -> None:
        """``own_modules``: top-level names that a module of the project beside this one
        takes (``mailer.py``): Python imports that file, not the library of that name, so
        ``from mailer import Mailer`` binds ``.mailer.Mailer``, the project's."""
        self.tree = tree
        self.own_modules = own_modules
        self.parents: dict[ast.AST, ast.AST] = {}
        # enclosing(): by kinds asked for, each node's nearest node of those kinds above it.
        self._enclosing: dict[object, dict[ast.AST, ast.AST | None]] = {}
        # qualified_names(): asked again and again of the same nodes (by each question
        # the front end asks of a call); the scopes do not change after the walk.
        self._qualified: dict[ast.AST, list[tuple[str, bool]]] = {}
        self._bindings_of: dict[ast.AST, list[Binding]] = {}  # bindings(), by the node read
        self.scope_of: dict[ast.AST, Scope] = {}  # Name nodes -> the scope they are read in
        self.calls: list[ast.Call] = []
        self.assignments: list[ast.Assign | ast.AnnAssign] = []
        self.returns: list[ast.Return] = []
        self.delegated: list[ast.Call] = []  # rewritten by :func:`.delegated_calls.delegate`
        self.withitems: list[ast.withitem] = []
        self.classes: list[ast.ClassDef] = []
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []
        self.dicts: list[ast.Dict] = []
        # What an item or attribute is assigned or deleted on (``CONFIG`` of ``CONFIG["tls"] =
        # ...``, ``self.smtp`` of ``del self.smtp.sock``): containers the module changes.
        self.stored_into: list[ast.expr] = []
        self.strings: set[str] = set()  # string constants (a class named in a config dict)
        self.names_read: set[str] = set()  # names loaded and attribute names, anywhere
        self.module_scope = Scope("module", tree, None, "")
        # Modules imported with ``from exchangelib import *``: where a name nobody binds
        # in the module comes from.
        self.star_modules: list[str] = []
        self._subclasses: dict[ast.ClassDef, list[ast.ClassDef]] | None = None
        self._methods: dict[
            ast.ClassDef, dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]
        ] = {}
        self._walk()

    # The walk.

    def _handlers(self) -> dict[type, Callable[..., list[tuple[ast.AST, Scope]] | None]]:
        # Built per walk, not kept: bound methods held by the instance would make it a
        # reference cycle, and every module's tree would wait for the garbage collector.
        return {
            ast.Call: self._call,
            ast.Assign: self._assignment,
            ast.AnnAssign: self._assignment,
            ast.Return: self._return,
            ast.arguments: self._arguments,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.Lambda: self._lambda,
            ast.ClassDef: self._class,
            **{kind: self._comprehension for kind in _COMPREHENSIONS},
            ast.Import: self._imported,
            ast.ImportFrom: self._imported,
            ast.Global: self._declared,
            ast.Nonlocal: self._declared,
            ast.ExceptHandler: self._named,
            ast.MatchAs: self._named,
            ast.MatchStar: self._named,
            ast.NamedExpr: self._walrus,
            ast.Dict: self._dict,
            ast.Subscript: self._subscript,
            ast.withitem: self._withitem,
        }

    def _walk(self) -> None:
        # Each node is recorded and its children (in source order, each with the scope
        # it is evaluated in) pushed in reverse. The commonest nodes (names, constants,
        # attributes, those whose children share their scope) are handled inline: most
        # of a module's nodes; the others by their kind's handler.
        special = self._handlers()
        stack: list[tuple[ast.AST, Scope]] = [(self.tree, self.module_scope)]
        pop, push = stack.pop, stack.append
        parent_of = self.parents.setdefault  # some were given a closer parent already
        scope_of = self.scope_of
        read, string = self.names_read.add, self.strings.add
        handler_of = special.get
        name_kind, constant_kind, attribute_kind = ast.Name, ast.Constant, ast.Attribute
        store, load, node_kind = ast.Store, ast.Load, ast.AST
        stored_into = self.stored_into.append
        while stack:
            node, scope = pop()
            kind = type(node)
            if kind is name_kind:
                scope_of[node] = scope
                if type(node.ctx) is store:  # type: ignore[attr-defined]
                    self._bind(node.id, BindingKind.NAME, node, scope)  # type: ignore[attr-defined]
                else:
                    read(node.id)  # type: ignore[attr-defined]
                continue
            if kind is constant_kind:
                if type(node.value) is str:  # type: ignore[attr-defined]
                    string(node.value)  # type: ignore[attr-defined]
                continue
            if kind is attribute_kind:
                read(node.attr)  # type: ignore[attr-defined]
                child = node.value  # type: ignore[attr-defined]
                if type(node.ctx) is not load:  # type: ignore[attr-defined]
                    stored_into(child)
                parent_of(child, node)
                push((child, scope))
                continue
            handler = handler_of(kind)
            children = handler(node, scope) if handler is not None else None
            if children is not None:
                for child, child_scope in reversed(children):
                    parent_of(child, node)
                    push((child, child_scope))
                continue
            # No handler, or one that leaves the children to this: ``ast.iter_child_nodes``,
            # each in the node's scope, in reverse for the stack.
            for field_name in reversed(kind._fields):
                value = getattr(node, field_name, None)
                if isinstance(value, node_kind):
                    parent_of(value, node)
                    push((value, scope))
                elif isinstance(value, list):
                    for item in reversed(value):
                        if isinstance(item, node_kind):
                            parent_of(item, node)
                            push((item, scope))

    def _call(self, node: ast.Call, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        if delegate(node):  # ``asyncio.to_thread(server.login, ...)``: the call it makes
            self.delegated.append(node)
        self.calls.append(node)
        arguments: list[ast.AST] = [*node.args, *node.keywords]
        if node.keywords and node.args:
            arguments.sort(key=_position)  # ``f(a=1, *rest)``: keep source order
        return [(child, scope) for child in (node.func, *arguments)]

    def _assignment(self, node: ast.Assign | ast.AnnAssign, scope: Scope) -> None:
        self.assignments.append(node)

    def _withitem(self, node: ast.withitem, scope: Scope) -> None:
        self.withitems.append(node)

    def _return(self, node: ast.Return, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self.returns.append(node)
        return [(node.value, scope)] if node.value is not None else []

    def _imported(self, node: ast.Import | ast.ImportFrom, scope: Scope):
        self.imports.append(node)
        self._import(node, scope)
        return []

    def _declared(self, node: ast.Global | ast.Nonlocal, scope: Scope):
        names = scope.declared_global if type(node) is ast.Global else scope.declared_nonlocal
        names.update(node.names)
        return []

    def _named(self, node: ast.ExceptHandler | ast.MatchAs | ast.MatchStar, scope: Scope) -> None:
        if node.name:
            self._bind(node.name, BindingKind.NAME, node, scope)

    def _walrus(self, node: ast.NamedExpr, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        # The walrus binds in the nearest scope that is not a comprehension.
        target = scope
        while target.kind == "comprehension" and target.parent is not None:
            target = target.parent
        self.scope_of[node.target] = scope
        self._bind(node.target.id, BindingKind.NAME, node.target, target)
        self.parents[node.target] = node
        return [(node.value, scope)]

    def _dict(self, node: ast.Dict, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self.dicts.append(node)
        items: list[ast.AST] = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is not None:
                items.append(key)
            items.append(value)
        return [(child, scope) for child in items]

    def _subscript(self, node: ast.Subscript, scope: Scope) -> None:
        if type(node.ctx) is not ast.Load:
            self.stored_into.append(node.value)
            written = _global_written(node)
            if type(node.ctx) is ast.Store and written is not None:
                # ``globals()["SMTP_SERVER"] = value``: an assignment of the module's name.
                module = self.module_scope
                module.bind(Binding(written, BindingKind.NAME, node, module, _position(node)))

    @staticmethod
    def _arguments(node: ast.arguments, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        return []  # its parts were placed by the function or lambda that owns it

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> list[tuple[ast.AST, Scope]]:
        self.functions.append(node)
        self._bind(node.name, BindingKind.DEF, node, scope)
        inner = Scope("function", node, scope, f"{scope.prefix}{node.name}.<locals>.")
        children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in node.decorator_list]
        children += self._parameters(node.args, scope, inner)
        if node.returns is not None:
            children.append((node.returns, scope))
        children += [(statement, inner) for statement in node.body]
        return children

    def _lambda(self, node: ast.Lambda, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        inner = Scope("lambda", node, scope, f"{scope.prefix}<lambda>.<locals>.")
        return [*self._parameters(node.args, scope, inner), (node.body, inner)]

    def _parameters(
        self, arguments: ast.arguments, outer: Scope, inner: Scope
    ) -> list[tuple[ast.AST, Scope]]:
        """Defaults and annotations are evaluated outside; the parameters bind inside.
        The ``arguments`` node stays the parent of each ``arg`` (arg -> arguments -> def)."""
        children: list[tuple[ast.AST, Scope]] = [(arguments, outer)]
        for param in (
            *arguments.posonlyargs,
            *arguments.args,
            *([arguments.vararg] if arguments.vararg else []),
            *arguments.kwonlyargs,
            *([arguments.kwarg] if arguments.kwarg else []),
        ):
            self.parents[param] = arguments
            self._bind(param.arg, BindingKind.PARAM, param, inner)
            if param.annotation is not None:
                self.parents[param.annotation] = param
                children.append((param.annotation, outer))
        for default in (*arguments.defaults, *(d for d in arguments.kw_defaults if d)):
            self.parents[default] = arguments
            children.append((default, outer))
        return children

    def _class(self, node: ast.ClassDef, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        self.classes.append(node)
        self._bind(node.name, BindingKind.CLASS, node, scope)
        inner = Scope("class", node, scope, f"{scope.prefix}{node.name}.")
        children: list[tuple[ast.AST, Scope]] = [(d, scope) for d in node.decorator_list]
        children += [(base, scope) for base in (*node.bases, *node.keywords)]
        children += [(statement, inner) for statement in node.body]
        return children

    def _comprehension(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        inner = Scope("comprehension", node, scope, f"{scope.prefix}<comprehension>.")
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        children: list[tuple[ast.AST, Scope]] = []
        for index, generator in enumerate(generators):
            self.parents[generator] = node
            for part in (generator.target, generator.iter, *generator.ifs):
                self.parents[part] = generator
            children.append((generator.target, inner))
            children.append((generator.iter, scope if index == 0 else inner))
            children += [(condition, inner) for condition in generator.ifs]
        if isinstance(node, ast.DictComp):
            elements: list[ast.AST] = [node.key, node.value]
        else:
            elements = [node.elt]  # type: ignore[attr-defined]
        # The element comes first in the source, the generators after it.
        return [(element, inner) for element in elements] + children

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        for alias in node.names:
            if alias.name == "*":
                if isinstance(node, ast.ImportFrom) and node.module:
                    self.star_modules.append("." * node.level + node.module)
                continue
            if isinstance(node, ast.Import):
                if alias.asname:
                    local, imported = alias.asname, alias.name
                else:
                    local = imported = alias.name.split(".", 1)[0]
                if imported.split(".", 1)[0] in self.own_modules:
                    imported = f".{imported}"
            else:
                level = node.level
                if not level and (node.module or "").split(".", 1)[0] in self.own_modules:
                    level = 1
                module = "." * level + (node.module or "")
                separator = "." if node.module else ""
                local, imported = alias.asname or alias.name, f"{module}{separator}{alias.name}"
            self._bind(local, BindingKind.IMPORT, node, scope, imported)

    def _bind(
        self,
        name: str,
        kind: BindingKind,
        node: ast.AST,
        scope: Scope,
        imported: str | None = None,
    ) -> None:
        target = scope
        if name in scope.declared_global:
            target = self.module_scope
        elif name in scope.declared_nonlocal:
            target = self._enclosing_binder(name, scope) or scope
        target.bind(Binding(name, kind, node, target, _position(node), imported))

    def _enclosing_binder(self, name: str, scope: Scope) -> Scope | None:
        current = scope.parent
        while current is not None and current.kind != "module":
            if current.kind != "class" and name in current.bindings:
                return current
            current = current.parent
        return None

    # Questions.

    def resolve(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose binding of ``name`` a read in ``scope`` sees, if any."""
        if name in scope.declared_global:
            return self.module_scope if name in self.module_scope.bindings else None
        current: Scope | None = scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return current
            first = False
            current = current.parent
        return None

    def bindings(self, node: ast.Name) -> list[Binding]:
        """Every binding of the name in the scope a read of ``node`` resolves to (kept: asked
        by each question about the name; the scopes' bindings do not change after the walk)."""
        known = self._bindings_of.get(node)
        if known is None and (scope := self.scope_of.get(node)) is not None:
            found = self.resolve(node.id, scope)
            known = self._bindings_of[node] = found.bindings[node.id] if found is not None else []
        return known if known is not None else []

    def bound_values(self, node: ast.Name) -> list[tuple[Binding, ast.AST | None, ast.expr]]:
        """For each binding of the name read at ``node``, the statement that binds it and
        the expression the name takes: ``x = value`` and ``x: T = value`` (their value),
        ``with make() as x:`` (the context expression). What the object a method is called
        on was made by (``relay = Relay()`` then ``relay.connect(...)``) is asked of it by
        the summaries, the net and the callers alike, each keeping the shapes it follows."""
        found = []
        for binding in self.bindings(node):
            statement = self.parents.get(binding.node)
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                found.append((binding, statement, statement.value))
            elif isinstance(statement, ast.withitem):
                found.append((binding, statement, statement.context_expr))
        return found

    def subclasses(self, klass: ast.ClassDef) -> list[ast.ClassDef]:
        """The classes of the module that name ``klass`` among their bases."""
        if self._subclasses is None:
            self._subclasses = {}
            for candidate in self.classes:
                for base in candidate.bases:
                    if not isinstance(base, ast.Name):
                        continue
                    parent = next(
                        (b.node for b in self.bindings(base) if isinstance(b.node, ast.ClassDef)),
                        None,
                    )
                    if parent is not None:
                        self._subclasses.setdefault(parent, []).append(candidate)
        return self._subclasses.get(klass, [])

    def methods(
        self, klass: ast.ClassDef, name: str
    ) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The functions (``def`` and ``async def``) named ``name`` in ``klass``'s own body,
        in their order. Indexed once a class: ``self.x(...)`` is looked up for each call
        of a test class of hundreds of methods."""
        index = self._methods.get(klass)
        if index is None:
            index = self._methods[klass] = {}
            for statement in klass.body:
                if isinstance(statement, FUNCTIONS):
                    index.setdefault(statement.name, []).append(statement)
        return index.get(name, [])

    def qualified_names(self, node: ast.AST) -> list[tuple[str, bool]]:
        """What a Name/Attribute chain refers to: (qualified name, whether local), names
        from imports and builtins first."""
        known = self._qualified.get(node)
        if known is None:
            known = self._qualified[node] = self._qualified_names(node)
        return list(known)  # the caller's to change

    def _qualified_names(self, node: ast.AST) -> list[tuple[str, bool]]:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return []
        rest = "." + ".".join(reversed(parts)) if parts else ""
        bindings = self.bindings(node)
        if not bindings:
            if node.id in _BUILTINS and node in self.scope_of:
                return [(f"builtins.{node.id}{rest}", False)]
            if node.id in _STANDARD_MODULES and node in self.scope_of:
                # A snippet that uses ``smtplib.SMTP(...)`` without importing smtplib
                # means the module (see :meth:`assumes_import`).
                return [(f"{node.id}{rest}", False)]
            if self.star_modules and node in self.scope_of:
                # ``from exchangelib import *`` then ``Credentials(...)``: one of them.
                return [(standard_name(f"{m}.{node.id}{rest}"), False) for m in self.star_modules]
            return []
        names: dict[str, bool] = {}
        for binding in bindings:
            if binding.kind is BindingKind.IMPORT:
                names[standard_name(f"{binding.imported}{rest}")] = False
            else:
                names.setdefault(f"{binding.scope.prefix}{node.id}{rest}", True)
        if len(names) == 1:  # most names: one binding
            return list(names.items())
        return sorted(names.items(), key=lambda item: (item[1], item[0]))

    def assumes_import(self, node: ast.AST) -> bool:
        """Whether the qualified name of a Name/Attribute chain takes a name nobody binds
        for the standard module of that name (``smtplib`` in a snippet without its
        import): a guess, for findings of lower confidence."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return (
            isinstance(node, ast.Name)
            and node.id in _STANDARD_MODULES
            and node in self.scope_of
            and not self.bindings(node)
        )

    def enclosing(self, node: ast.AST, kinds: type | tuple[type, ...]) -> ast.AST | None:
        """The nearest node above ``node`` of one of ``kinds``. Remembered for every node
        on the way up, so that asking for each of thousands of nested nodes (a chain of
        20,000 calls) costs one walk, not one per node."""
        known = self._enclosing.setdefault(kinds, {})
        if node in known:
            return known[node]
        passed: list[ast.AST] = [node]
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kinds):
            if current in known:
                current = known[current]
                break
            passed.append(current)
            current = self.parents.get(current)
        for visited in passed:
            known[visited] = current
        return current

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        return self.enclosing(node, FUNCTIONS)  # type: ignore[return-value]

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        return self.enclosing(node, ast.ClassDef)  # type: ignore[return-value]


def _global_written(node: ast.Subscript) -> str | None:
    """The module name ``globals()["NAME"]`` writes, when the key is written out."""
    call, key = node.value, node.slice
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "globals"
        and not call.args
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
    ):
        return None
    return key.value if key.value.isidentifier() else None


@lru_cache(maxsize=4096)  # asked for each import of each name read
def standard_name(name: str) -> str:
    """``name`` with a stand-in's prefix replaced; a project's ``.compat.smtplib`` is smtplib."""
    for stand_in, module in _STAND_INS.items():
        if name == stand_in or name.startswith(f"{stand_in}."):
            return module + name[len(stand_in) :]
    parts = name.split(".")
    for at, part in enumerate(parts[1:], 1):
        if part in BUNDLED_LIBRARIES or (name[0] == "." and part in STANDARD_MAIL_MODULES):
            return ".".join(parts[at:])
    return name
