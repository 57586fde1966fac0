"""YAML: PyYAML's composer (libyaml when present) gives the node graph with positions.

Only ``compose`` runs: no object is constructed and no tag is resolved to code, so
nothing in the file is executed. Aliases are shared nodes of that graph; the
conversion and the walk visit each node once, so alias bombs cost linear time, and
files over :data:`MAX_CHARS` characters or :data:`MAX_NODES` nodes are refused.
Files with Go or Jinja template syntax that are not valid YAML (Helm
``templates/``) are templates, not config, and are skipped without an error.
"""

from __future__ import annotations

import yaml

from ..errors import ParseError
from ..mail_settings.keys import Setting
from ..text import LineIndex
from .tree import Mapping, Node, Scalar, Sequence, settings_from_tree

MAX_CHARS = 4_000_000
MAX_NODES = 1_000_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
_MERGE = _CORE + "merge"
_TRUE = frozenset({"true", "yes", "on", "y"})


def read_yaml(text: str, index: LineIndex) -> list[Setting]:
    if len(text) > MAX_CHARS:
        raise ParseError(f"not read: over {MAX_CHARS // 1_000_000} million characters of YAML")
    settings: list[Setting] = []
    converter = _Converter(text)
    try:
        for number, document in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if document is not None:
                root = converter.convert(document)
                settings.extend(settings_from_tree(root, index, (str(number),) if number else ()))
    except yaml.YAMLError as error:
        if "{{" in text or "{%" in text:
            return []  # a template (Helm, Jinja), not YAML until rendered
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParseError(f"invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise ParseError("YAML nested too deeply") from None
    return settings


def yaml_tree(text: str) -> Node | None:
    """The first document as a tree with positions; None when it is not YAML (or too
    large)."""
    if len(text) > MAX_CHARS:
        return None
    try:
        document = yaml.compose(text, Loader=_Loader)
        return None if document is None else _Converter(text).convert(document)
    except (yaml.YAMLError, ParseError, RecursionError):
        return None


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.done: dict[int, Node] = {}
        self.count = 0

    def convert(self, node: yaml.Node) -> Node:
        known = self.done.get(id(node))
        if known is not None:
            return known  # an alias: the same node again, never a copy
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(f"not read: over {MAX_NODES} YAML nodes")
        start, end = node.start_mark.index, node.end_mark.index
        if isinstance(node, yaml.ScalarNode):
            result: Node = self.scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            result = Sequence(start, end)
            self.done[id(node)] = result  # before the children: recursive aliases
            result.items = [self.convert(item) for item in node.value]
        else:
            result = Mapping(start, end)
            self.done[id(node)] = result
            result.items = self.mapping_items(node)
        self.done[id(node)] = result
        return result

    def mapping_items(self, node: yaml.MappingNode) -> list:
        items = []
        merged = []
        for key, value in node.value:
            if key.tag == _CORE + "merge" or (
                isinstance(key, yaml.ScalarNode) and key.value == "<<"
            ):
                # ``<<: *defaults``: the anchored mapping's keys, unless given here.
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    converted = self.convert(source)
                    if isinstance(converted, Mapping):
                        merged.extend(converted.items)
                continue
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
            items.append((name, key.start_mark.index, key.end_mark.index, self.convert(value)))
        if merged:
            own = {item[0] for item in items}
            items.extend(item for item in merged if item[0] not in own)
        return items

    def scalar(self, node: yaml.ScalarNode) -> Scalar:
        start, end = node.start_mark.index, node.end_mark.index
        raw: str = node.value
        tag = node.tag
        value: object = raw
        plain = not node.style  # libyaml says "" where PyYAML says None
        if plain and tag.startswith(_CORE):
            kind = tag[len(_CORE) :]
            if kind == "null":
                value = None
            elif kind == "bool":
                value = raw.lower() in _TRUE
            elif kind == "int":
                try:
                    value = int(raw.replace("_", ""), 0)
                except ValueError:
                    value = raw
        custom = None if tag.startswith(_CORE) else tag
        if node.style in ("'", '"') and end - start >= 2:
            inner = (start + 1, end - 1)
            exact = self.text[inner[0] : inner[1]] == raw
            if exact:
                return Scalar(value, inner[0], inner[1], True, custom)
            return Scalar(value, start, end, False, custom)
        exact = plain and self.text[start:end] == raw
        return Scalar(value, start, end, exact, custom)
