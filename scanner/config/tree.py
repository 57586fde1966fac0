"""A neutral tree of mappings, sequences and scalars (YAML, JSON, TOML read into it),
and the walk that turns it into settings.

The walk knows the shapes mail settings take in structured config: a mapping's
scalars (``email: {host: ..., port: ...}``), environment lists of docker-compose
(``- EMAIL_HOST=...``) and Kubernetes (``- name: EMAIL_HOST`` / ``value: ...``),
scalar lists (``mailhost: [host, 587]`` of a logging ``dictConfig``) and the
``extra`` mapping of an Airflow connection. Each container is visited once, so
a YAML alias graph (billion laughs) is walked in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..mail_settings.keys import Setting, is_setting_key
from ..model import Value
from ..text import LineIndex
from .positions import make_setting

_MAX_DEPTH = 64
_ENV_LIST_KEYS = frozenset({"environment", "env"})
_ENV_ITEM = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)=(?P<value>.*)$", re.DOTALL)
# Child mappings whose keys belong to the parent's settings (Airflow connection extras).
_FLATTENED = frozenset({"extra", "extra_dejson"})


@dataclass(eq=False)
class Scalar:
    value: object  # str, int, float, bool or None
    start: int  # the value as written; inside the quotes when ``exact``
    end: int
    exact: bool = False  # text[start:end] is the value, with no quotes or escapes
    tag: str | None = None  # a YAML tag (``!secret``)


@dataclass(eq=False)
class Mapping:
    start: int
    end: int
    items: list[tuple[str, int, int, Node]] = field(default_factory=list)  # key, key range


@dataclass(eq=False)
class Sequence:
    start: int
    end: int
    items: list[Node] = field(default_factory=list)


Node = Scalar | Mapping | Sequence


def settings_from_tree(root: Node, index: LineIndex, prefix: tuple[str, ...] = ()) -> list[Setting]:
    walker = _Walker(index)
    walker.walk(root, prefix, 0)
    return walker.found


class _Walker:
    def __init__(self, index: LineIndex) -> None:
        self.index = index
        self.found: list[Setting] = []
        self.seen: set[int] = set()

    def emit(self, key: str, key_at: tuple[int, int], node: Scalar, path: tuple[str, ...]) -> None:
        self.found.append(
            make_setting(
                self.index,
                key,
                key_at,
                node.value,
                (node.start, node.end),
                "/".join(path),
                exact=node.exact,
                tag=node.tag,
            )
        )

    def walk(self, node: Node, path: tuple[str, ...], depth: int) -> None:
        if isinstance(node, Scalar) or id(node) in self.seen or depth > _MAX_DEPTH:
            return
        self.seen.add(id(node))
        if isinstance(node, Sequence):
            for number, item in enumerate(node.items):
                self.walk(item, (*path, str(number)), depth + 1)
            return
        for key, key_start, key_end, child in node.items:
            if isinstance(child, Scalar):
                if is_setting_key(key):
                    self.emit(key, (key_start, key_end), child, path)
            elif isinstance(child, Sequence):
                self.sequence(key, (key_start, key_end), child, path, depth)
            else:
                if key.lower() in _FLATTENED:
                    self.flatten(key, child, path)
                self.walk(child, (*path, key), depth + 1)

    def flatten(self, key: str, child: Mapping, path: tuple[str, ...]) -> None:
        for name, start, end, value in child.items:
            dotted = f"{key}.{name}"
            if isinstance(value, Scalar) and is_setting_key(dotted):
                self.emit(dotted, (start, end), value, path)

    def sequence(
        self,
        key: str,
        key_at: tuple[int, int],
        node: Sequence,
        path: tuple[str, ...],
        depth: int,
    ) -> None:
        if key.lower() in _ENV_LIST_KEYS and self.environment(node, (*path, key)):
            return
        if is_setting_key(key) or is_setting_key(f"{key}.0"):
            if all(isinstance(item, Scalar) for item in node.items):
                if is_setting_key(f"{key}.0"):
                    # ``mailhost: [host, port]``, ``credentials: [user, password]``
                    for number, item in enumerate(node.items):
                        assert isinstance(item, Scalar)
                        self.emit(f"{key}.{number}", key_at, item, path)
                else:
                    # ``secure: []``: what matters is that it is there.
                    values = tuple(item.value for item in node.items if isinstance(item, Scalar))
                    span = self.index.span(node.start, node.end)
                    self.found.append(
                        Setting(
                            key, Value.of(values, span), self.index.span(*key_at), "/".join(path)
                        )
                    )
                return
        for number, item in enumerate(node.items):
            self.walk(item, (*path, key, str(number)), depth + 1)

    def environment(self, node: Sequence, path: tuple[str, ...]) -> bool:
        """``environment:`` as a list: compose ``KEY=value`` items or Kubernetes
        ``name``/``value`` items. False when the list is neither."""
        settings: list[Setting] = []
        group = "/".join(path)
        for item in node.items:
            if isinstance(item, Scalar) and isinstance(item.value, str):
                found = _ENV_ITEM.match(item.value)
                if found is None:
                    continue  # ``- EMAIL_HOST``: passed through from the host's environment
                key = found["key"]
                if not is_setting_key(key):
                    continue
                if item.exact:
                    key_at = (item.start, item.start + len(key))
                    value_at = (key_at[1] + 1, item.end)
                else:
                    key_at = value_at = (item.start, item.end)
                settings.append(
                    make_setting(
                        self.index,
                        key,
                        key_at,
                        found["value"],
                        value_at,
                        group,
                        exact=item.exact,
                    )
                )
            elif isinstance(item, Mapping):
                entry = {
                    name.lower(): (start, end, child) for name, start, end, child in item.items
                }
                name = entry.get("name")
                if name is None or not isinstance(name[2], Scalar):
                    return False
                key = str(name[2].value)
                if not is_setting_key(key):
                    continue
                key_at = (name[2].start, name[2].end)
                if "value" in entry and isinstance(entry["value"][2], Scalar):
                    value = entry["value"][2]
                    settings.append(
                        make_setting(
                            self.index,
                            key,
                            key_at,
                            value.value,
                            (value.start, value.end),
                            group,
                            exact=value.exact,
                            tag=value.tag,
                        )
                    )
                elif "valuefrom" in entry:
                    # A Secret or ConfigMap reference: present, never a literal.
                    start, end, _ = entry["valuefrom"]
                    origin = Value.unknown("valueFrom", self.index.span(start, end))
                    settings.append(Setting(key, origin, self.index.span(*key_at), group))
            else:
                return False
        self.found.extend(settings)
        return True


def tree_value(root: Node, text: str, file: str) -> Value:
    """A document read by code as the value it loads (``json.load`` of the file): mappings
    as dicts of values, sequences as tuples, scalars known, each with the file, key and
    line as its origin."""
    return _Values(LineIndex(text), file).value(root, ())


class _Values:
    """A node reached twice (a YAML alias) is converted once."""

    def __init__(self, index: LineIndex, file: str) -> None:
        self.index = index
        self.file = file
        self.done: dict[int, Value] = {}

    def value(self, node: Node, keys: tuple[str, ...]) -> Value:
        known = self.done.get(id(node))
        if known is not None:
            return known
        if isinstance(node, Mapping):
            entries: dict[object, object] = {}
            result = Value(True, entries)
            self.done[id(node)] = result  # before the children: recursive aliases
            for key, _, _, child in node.items:
                entries[key] = self.value(child, (*keys, key))
            return result
        if isinstance(node, Sequence):
            items = tuple(self.value(child, keys) for child in node.items)
            values = tuple(item.value for item in items)
            result = Value(all(i.known for i in items), values, items=items)
        else:
            line = self.index.line_of(node.start)
            result = Value(True, node.value, f"{self.file} {'.'.join(keys)}, line {line}")
        self.done[id(node)] = result
        return result
