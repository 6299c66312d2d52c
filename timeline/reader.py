"""Read one event file: bytes -> `RawEvent` (frontmatter data, the line of every key, body).

python-frontmatter splits the file; the YAML is then loaded through a node tree so that every
key keeps its line number (plain `yaml.load` throws positions away, and an author needs
`path:line` to find a mistake). A file that cannot be read becomes a `Problem`, never a crash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import frontmatter
import yaml

from .errors import Problem

Position = tuple[str | int, ...]
_HANDLER = frontmatter.YAMLHandler()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that keeps dates as the text the author typed.

    Dates are EDTF strings to us; letting YAML build `datetime.date` objects would turn
    `2019-13-45` into a crash instead of a message, and `2019-02` and `2019-02-28` into
    different types.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, Any]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class RawEvent:
    """An event file as written: unvalidated metadata, and where to find each key."""

    path: str
    meta: dict[str, Any]
    body: str
    body_line: int
    digest: str
    problems: tuple[Problem, ...] = field(default=())
    frontmatter: str = ""
    frontmatter_line: int = 1

    @cached_property
    def lines(self) -> dict[Position, int]:
        """The line of every key and list item, worked out only when a message needs one:
        walking YAML's node tree doubles the cost of reading a file that has no problem."""
        try:
            return load_yaml(self.frontmatter, first_line=self.frontmatter_line)[1]
        except (yaml.YAMLError, DuplicateKey, ValueError):
            return {}

    def line(self, *position: str | int) -> int:
        """Line of a key (or list item) in the file, falling back to its parent, then line 1."""
        while position:
            if position in self.lines:
                return self.lines[position]
            position = position[:-1]
        return 1


def digest_bytes(data: bytes) -> str:
    """Content hash used to recognise unchanged files across rebuilds."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_event(path: str, data: bytes) -> RawEvent:
    """Decode and split one event file; problems are returned inside the record, not raised."""
    digest = digest_bytes(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        return _failed(path, digest, Problem(path, line, "file", message))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _HANDLER.detect(text) or not text.startswith("---"):
        message = "no frontmatter: the file must start with a '---' line, then YAML, then '---'"
        return _failed(path, digest, Problem(path, 1, "frontmatter", message))
    try:
        fm, body = _HANDLER.split(text)
    except ValueError:
        message = "frontmatter is not closed: add a '---' line after the YAML"
        return _failed(path, digest, Problem(path, 1, "frontmatter", message))
    body = body.lstrip("\n")
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    fm_line = text.count("\n", 0, text.index(fm)) + 1
    try:
        meta = yaml.load(fm, Loader=_Loader)
    except yaml.YAMLError as exc:
        return _failed(path, digest, _yaml_problem(path, exc, fm_line))
    except ValueError as exc:
        problem = Problem(path, 1, "frontmatter", f"invalid YAML value: {exc}")
        return _failed(path, digest, problem)
    duplicate = _duplicate_key(fm, fm_line)
    if duplicate:
        return _failed(path, digest, Problem(path, duplicate[1], duplicate[0], "is set twice"))
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problem = Problem(path, 2, "frontmatter", "must be a YAML mapping of `key: value` lines")
        return _failed(path, digest, problem)
    return RawEvent(path, meta, body, body_line, digest, (), fm, fm_line)


_TOP_LEVEL_KEY = re.compile(r"^([^\s#:'\"-][^:]*?)\s*:(?:\s|$)", re.MULTILINE)


def _duplicate_key(text: str, first_line: int) -> tuple[str, int] | None:
    """A top-level key set twice (YAML would silently keep the last value): key and line."""
    seen: set[str] = set()
    for match in _TOP_LEVEL_KEY.finditer(text):
        key = match.group(1)
        if key in seen:
            return key, text.count("\n", 0, match.start()) + first_line
        seen.add(key)
    return None


def _failed(path: str, digest: str, problem: Problem) -> RawEvent:
    return RawEvent(path, {}, "", 1, digest, (problem,))


def _yaml_problem(path: str, exc: yaml.YAMLError, first_line: int) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark is not None else 1
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(path, line, "frontmatter", f"invalid YAML: {reason}")


class DuplicateKey(Exception):
    """A mapping sets the same key twice; YAML would silently keep the last value."""

    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line
        super().__init__(key)


def load_yaml(text: str, *, first_line: int = 1) -> tuple[Any, dict[Position, int]]:
    """Load a YAML document and the line of every mapping key and sequence item in it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Position, int] = {}
        _collect_lines(node, (), lines, first_line - 1)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _collect_lines(node: yaml.Node, at: Position, lines: dict[Position, int], offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1 + offset
            if name in seen:
                raise DuplicateKey(".".join(str(p) for p in (*at, name)), line)
            seen.add(name)
            lines[(*at, name)] = line
            _collect_lines(value, (*at, name), lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*at, index)] = item.start_mark.line + 1 + offset
            _collect_lines(item, (*at, index), lines, offset)
