"""Client subclasses with an ``__init__`` of their own (``class Mailer(smtplib.SMTP)``).

Such a class opens its connection where its ``__init__`` calls the client's:
``super().__init__(host, 587)``, ``super(Mailer, self).__init__(...)`` or
``smtplib.SMTP.__init__(self, ...)``, or a call of those in another method of the class
when ``__init__`` makes none (``def init(self): super().__init__(host)``, which
``__init__`` or a reconnect runs). That call is read as the client's constructor;
``self`` in the methods of the class and of its subclasses in the module, and each
instance the module makes (``m = Mailer(...)``), are that connection; when the module
makes several, the connection stands for all of them, and the order of their steps is
not known (no rule judges it).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from ..model import Connection
from .adapters.base import Adapter
from .bindings import Bindings
from .symbols import FUNCTIONS
from .values import Evaluator

Opened = dict[ast.Call, tuple[Connection, Adapter]]


class OwnInits:
    def __init__(self, values: Evaluator) -> None:
        self.values = values
        # The call of the client's ``__init__`` by the client's name, and whether it passes
        # ``self`` explicitly (``smtplib.SMTP.__init__(self, host)``).
        self.openers: dict[ast.Call, tuple[str, bool]] = {}
        # The classes whose instances are the connection one of those calls opens.
        self.classes: dict[ast.ClassDef, tuple[str, ast.Call]] = {}

    def client_of(self, klass: ast.ClassDef) -> str | None:
        found = self.classes.get(klass)
        return found[0] if found else None

    def opener_of(self, klass: ast.ClassDef) -> ast.Call | None:
        found = self.classes.get(klass)
        return found[1] if found else None

    def add(self, klass: ast.ClassDef, client: str, base: ast.ClassDef | None) -> bool:
        """A subclass of ``client`` with its own ``__init__`` (``base``: the class of the
        module it extends, when it extends the client through one). False when the
        ``__init__`` passes its ``*args, **kwargs`` on as they are: the client's
        parameters still apply, as to a subclass without one."""
        inherited = self.classes.get(base) if base is not None else None
        init = next(
            (s for s in klass.body if isinstance(s, FUNCTIONS) and s.name == "__init__"), None
        )
        if init is None:
            if inherited is not None:
                self.classes[klass] = inherited
            return True
        # The client's ``__init__`` called from another method of the class (``def
        # init(self): super().__init__(host)``, run by ``__init__`` or to reconnect) when
        # ``__init__`` itself does not call it.
        others = [s for s in klass.body if isinstance(s, FUNCTIONS) and s is not init]
        for function, node in ((f, n) for f in (init, *others) for n in ast.walk(f)):
            if not isinstance(node, ast.Call):
                continue
            explicit = self._base_init(node, klass, client, base)
            if explicit is None:
                continue
            if inherited is None and _forwards(node, function.args, explicit):
                return False
            if inherited is not None:
                # ``super().__init__(...)`` of a subclass of a ``Mailer``: Mailer's
                # connection, with the values Mailer's callers give.
                self.classes[klass] = inherited
            else:
                self.openers[node] = (client, explicit)
                self.classes[klass] = (client, node)
            return True
        return True

    def bind(
        self,
        opened: Opened,
        bindings: Bindings,
        calls: Iterable[ast.Call],
        on_instance: Callable[[ast.Call, Connection, str | None], None],
    ) -> None:
        """``self`` in the classes, and the instances the module makes of them, are the
        connection their ``__init__`` opens (``opened``: the connections of the calls)."""
        if not self.classes:
            return
        for klass, (_, opener) in self.classes.items():
            if opener in opened:
                bindings.bind_self(klass, opener, *opened[opener])
                # Its instances are the connection: the class is a factory of it for
                # another module (``r = Reader(host)`` there, then ``r.login(...)``).
                conn = opened[opener][0]
                if klass in self.values.symbols.tree.body and klass.name not in conn.returned_by:
                    conn.returned_by += (klass.name,)
        made: dict[int, int] = {}
        for call in calls:
            klass = self.values.class_named(call.func)
            opener = self.opener_of(klass) if klass is not None else None
            if opener is None or opener not in opened:
                continue
            conn, adapter = opened[opener]
            opened[call] = (conn, adapter)
            on_instance(call, conn, bindings.bound_name(call))
            bindings.bind(call, conn, adapter)
            made[id(conn)] = made.get(id(conn), 0) + 1
            # Two instances are two objects that this one connection stands for: what
            # one does and what the other does happen in no order known here.
            conn.several_objects = made[id(conn)] > 1

    def keep_callees(self, opened: Opened, subclass_calls: Iterable[ast.Call]) -> None:
        """A fix may not rewrite the class a project's subclass of a client is made with:
        ``super().__init__`` names no class to swap, a new object in its place leaves
        ``self`` unmade, and ``smtplib.SMTP(...)`` in place of ``Sender(...)`` loses what
        the subclass adds (its methods, its ``__init__``). The remedies that edit that
        name are not offered (so the finding is not fixable)."""
        for call in (*self.openers, *subclass_calls):
            found = opened.get(call)
            if found is None:
                continue
            callee = self.values.span(call.func)
            conn = found[0]
            for holder in (conn, *conn.steps):
                for kind, remedy in list(holder.remedies.items()):
                    if any(e.start < callee.end and callee.start < e.end for e in remedy.edits):
                        del holder.remedies[kind]

    def _base_init(
        self, call: ast.Call, klass: ast.ClassDef, client: str, base: ast.ClassDef | None
    ) -> bool | None:
        """Whether ``call`` calls the base class's ``__init__``: False for ``super()``'s,
        True for a class's called with ``self``; None when it is no such call."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "__init__":
            return None
        owner = func.value
        if isinstance(owner, ast.Call):
            if not (isinstance(owner.func, ast.Name) and owner.func.id == "super"):
                return None
            if owner.args and not (
                isinstance(owner.args[0], ast.Name) and owner.args[0].id == klass.name
            ):
                return None  # ``super(Base, self)`` skips the classes up to Base
            return False
        if not (call.args and isinstance(call.args[0], ast.Name) and call.args[0].id == "self"):
            return None
        if client in self.values.qualified_names(owner):
            return True
        if base is not None and self.values.class_named(owner) is base:
            return True
        return None


def _forwards(call: ast.Call, params: ast.arguments, explicit: bool) -> bool:
    """``super().__init__(*args, **kwargs)``: the ``__init__``'s own rest parameters, and
    nothing else, passed on."""
    args = call.args[1:] if explicit else call.args
    rest = {a.arg for a in (params.vararg, params.kwarg) if a is not None}
    passed = [a.value for a in args if isinstance(a, ast.Starred)]
    passed += [k.value for k in call.keywords if k.arg is None]
    return (
        bool(passed)
        and len(passed) == len(args) + len(call.keywords)
        and all(isinstance(p, ast.Name) and p.id in rest for p in passed)
    )
