"""The front end's tables of what the library adapters read, with the library models'
entries made the first time one is looked up.

Every name is in the tables from the start (:mod:`.model_names`, generated from the
models), so whether a module names a client, a function or a method of a library is
answered as before; what a model's name stands for (its adapter and the spec of the
callable) is made when a module's analysis first asks for it, for that model only; a
method of objects that models' callables make (``send``) imports its models when it is
called on such an object. A
model's adapter does not depend on what was analysed before, so a table answers the same
whenever it is asked. Most runs import no model (the 21 modules, their records and the
interpreter of them: about 20 M instructions); one that analyses an ``aioimaplib`` client
imports that model alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model import MailFile
from .adapters.base import MODEL_SLOTS, Adapter, CallSite, FunctionSpec
from .model_names import MODEL_NAMES, OBJECT_METHODS


class Pending:
    """An entry of a table not made yet: the model module that makes it."""

    __slots__ = ("modules",)

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules


class OnDemand(dict):  # type: ignore[type-arg]
    """A dict whose :class:`Pending` values are made by ``load`` when first read. ``in``,
    ``len`` and iteration over the keys are the dict's own; reading a value (``[]``,
    ``get``, ``values``, ``items``) never gives a pending one."""

    def __init__(self, load: Callable[[str, tuple[str, ...]], None]) -> None:
        super().__init__()
        self._load = load

    def __getitem__(self, key: str) -> object:
        value = dict.__getitem__(self, key)
        if type(value) is Pending:
            self._load(key, value.modules)
            value = dict.__getitem__(self, key)
        return value

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        return self[key] if key in self else default

    def values(self) -> Iterator[object]:  # type: ignore[override]
        return (self[key] for key in list(self))

    def items(self) -> Iterator[tuple[str, object]]:  # type: ignore[override]
        return ((key, self[key]) for key in list(self))


class AdapterTables:
    """The hand-written adapters' entries at once, the models' as they are asked for: client
    classes and functions by qualified name, methods of objects by name, and the adapters
    with client classes by library (what a wrapper's client is read with)."""

    def __init__(self, hand_written: tuple[Adapter, ...]) -> None:
        self.clients = OnDemand(self._model)
        self.functions = OnDemand(self._model)
        self.object_methods: dict[str, tuple[Adapter, FunctionSpec]] = {}
        self.by_library = OnDemand(self._model)
        for adapter in hand_written:
            for name, spec in adapter.clients.items():
                self.clients[name] = (adapter, spec)
            for name, function in adapter.functions.items():
                self.functions[name] = (adapter, function)
            for name, function in adapter.object_methods.items():
                self.object_methods[name] = (adapter, function)
            if adapter.clients:
                self.by_library[adapter.library] = adapter
        for module, library, clients, functions in MODEL_NAMES:
            pending = Pending((module,))
            self.clients.update(dict.fromkeys(clients, pending))
            self.functions.update(dict.fromkeys(functions, pending))
            if clients:
                self.by_library[library] = pending
        for name, words, declaring, makers in OBJECT_METHODS:
            spec = FunctionSpec(
                MODEL_SLOTS, self._object_method(name, declaring, frozenset(makers))
            )
            self.object_methods[name] = (
                Adapter(
                    library="library models", object_methods={name: spec}, object_methods_if=words
                ),
                spec,
            )
        # Common method names, each read only where the module's bytes hold one of its words.
        self.gated = [(a.object_methods_if, frozenset(a.object_methods)) for a in hand_written]
        self.gated = [(words, names) for words, names in self.gated if words]
        self.gated += [(words, frozenset((name,))) for name, words, _, _ in OBJECT_METHODS]

    def _model(self, _: str, modules: tuple[str, ...]) -> None:
        """Make the entries of one model: its adapter's clients and functions."""
        # start-up: a model's adapter is made when a module first names one of its callables
        from .adapters.declared import adapter
        from .models import model

        made = adapter(model(modules[0]))
        for name, spec in made.clients.items():
            dict.__setitem__(self.clients, name, (made, spec))
        for name, function in made.functions.items():
            dict.__setitem__(self.functions, name, (made, function))
        if made.clients:
            dict.__setitem__(self.by_library, made.library, made)

    @staticmethod
    def _object_method(
        name: str, declaring: tuple[str, ...], makers: frozenset[str]
    ) -> Callable[[MailFile, CallSite], None]:
        """What a call of the method ``name`` of objects records: the models' own reading
        (:func:`.adapters.declared.object_method_adapters`), made the first time the object
        is one that a callable of ``makers`` made. Of any other object, each of the
        models' openers and credentials passes the call over (``_made_by``), so nothing is
        recorded and no model is needed."""
        made: list[Callable[[MailFile, CallSite], None]] = []

        def record(mail: MailFile, site: CallSite) -> None:
            origin = site.receiver_value.origin
            if origin is None or origin.removeprefix("call ") not in makers:
                return
            if not made:
                # start-up: the models are imported for an object one of them made
                from .adapters.declared import object_method_adapters
                from .models import model

                adapters = object_method_adapters(tuple(model(module) for module in declaring))
                made.append(
                    next(a for a in adapters if name in a.object_methods)
                    .object_methods[name]
                    .record
                )
            made[0](mail, site)

        return record
