"""Read one event file: bytes -> `RawEvent` (frontmatter data, the line of every key, body).

python-frontmatter splits the file; the YAML is then loaded through a node tree so that every
key keeps its line number (plain `yaml.load` throws positions away, and an author needs
`path:line` to find a mistake). A file that cannot be read becomes a `Problem`, never a crash.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, ClassVar

import frontmatter
import yaml

from .errors import DuplicateKey, Problem

Position = tuple[str | int, ...]
_HANDLER = frontmatter.YAMLHandler()


STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"


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

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key set twice at any depth (YAML keeps the last silently)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
                    continue
                if key.tag != STR_TAG:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key.value} must be text; put it in quotes",
                        key.start_mark,
                    )  # fmt: skip
                if key.value in seen:
                    raise DuplicateKey(key.value, key.start_mark.line + 1)
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


def _refuse_tag(loader: _Loader, node: yaml.Node) -> None:
    """Dates, bytes and sets are not data an event can hold, nor that the exports can write."""
    name = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {name} is not supported; write the value as plain text",
        node.start_mark,
    )  # fmt: skip


for _tag in ("timestamp", "binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)

MAX_NODES = 10_000  # values a frontmatter may hold once its aliases are expanded
# The most an event, entity or period file may hold. Python-Markdown's time on one paragraph
# grows with the square of its inline marks (600 KB of `*a* b` takes about half a minute, an
# 11 MB file did not end in four minutes); 512 KB is a book's worth of prose.
MAX_FILE_BYTES = 512 * 1024
TOO_LARGE = (
    f"is larger than {MAX_FILE_BYTES // 1024} KB, the most an event file may hold (Markdown"
    " could take minutes on it); split it into several events, or cite the full document as"
    " a source"
)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline


@dataclass(frozen=True)
class RawEvent:
    """An event file as written: unvalidated metadata, and where to find each key."""

    path: str
    meta: dict[str, Any]
    body: str
    body_line: int
    digest: str
    problems: tuple[Problem, ...] = field(default=())
    frontmatter_line: int = 1
    node: yaml.Node | None = field(default=None, compare=False, repr=False)

    @cached_property
    def lines(self) -> dict[Position, int]:
        """The line of every key and list item, worked out only when a message needs one
        (most files have none), from the YAML node tree the data was built from."""
        lines: dict[Position, int] = {}
        if self.node is not None:
            try:
                _collect_lines(self.node, (), lines, self.frontmatter_line - 1)
            except (DuplicateKey, RecursionError):  # merge keys (`<<`) twice; deep nesting
                return {}
        return lines

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


def read_event_file(path: str, location: str) -> RawEvent:
    """`read_event` on the file at `location`, reading no more than the limit and one byte:
    a file of gigabytes is refused without being held in memory."""
    with open(location, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        # Sized by the file, not the limit: a 512 KB buffer per read cost more than the read.
        data = file.read(min(size, MAX_FILE_BYTES) + 1)
        if len(data) > size:  # it grew since: read on, up to the limit
            data += file.read(MAX_FILE_BYTES + 1 - len(data))
        return read_event(path, data)


def read_event(path: str, data: bytes) -> RawEvent:
    """Decode and split one event file; problems are returned inside the record, not raised."""
    digest = digest_bytes(data)
    if len(data) > MAX_FILE_BYTES:
        return _failed(path, digest, Problem(path, 1, "file", TOO_LARGE))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
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
        meta, node = _load_frontmatter(fm)
    except DuplicateKey as exc:
        name, line = _duplicate_place(fm, fm_line, exc)
        return _failed(path, digest, Problem(path, line, name, "is set twice"))
    except yaml.YAMLError as exc:
        return _failed(path, digest, _yaml_problem(path, exc, fm, fm_line))
    except (ValueError, RecursionError) as exc:
        problem = Problem(path, fm_line, "frontmatter", f"invalid YAML value: {exc}")
        return _failed(path, digest, problem)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problem = Problem(path, 2, "frontmatter", "must be a YAML mapping of `key: value` lines")
        return _failed(path, digest, problem)
    raw = RawEvent(path, meta, body, body_line, digest, (), fm_line, node)
    problems = _control_problems(raw)
    return replace(raw, meta={}, problems=problems) if problems else raw


def _load_frontmatter(text: str) -> tuple[Any, yaml.Node | None]:
    """The frontmatter's data and node tree, after checking that its aliases neither loop
    nor explode."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if "*" in text:
            _check_aliases(node)
        try:
            return loader.construct_document(node), node
        except (KeyError, IndexError, TypeError, OverflowError) as exc:
            # PyYAML's own constructors fail this way on tagged scalars they cannot read
            # (`!!bool maybe`, `!!int ''`): name the value and its place instead.
            raise _unreadable_value(node) from exc
    finally:
        loader.dispose()


def _tagged_scalars(root: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Scalars tagged other than text (by the author or by YAML's rules): where PyYAML's
    constructors can fail."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag != STR_TAG:
            yield node
        stack.extend(_children(node))


def _first_unreadable(root: yaml.Node) -> yaml.ScalarNode | None:
    for node in _tagged_scalars(root):
        try:
            _Loader("").construct_object(node)
        except Exception:
            return node
    return None


def _unreadable_value(root: yaml.Node) -> yaml.constructor.ConstructorError:
    """The error for a tagged value PyYAML cannot construct, at that value's place."""
    node = _first_unreadable(root)
    what = "a tagged value"
    if node is not None:
        what = f"{node.tag.replace('tag:yaml.org,2002:', '!!')} {node.value!r}"
    mark = node.start_mark if node is not None else root.start_mark
    message = f"the value cannot be read as its tag says ({what})"
    return yaml.constructor.ConstructorError(None, None, message, mark)


def _check_aliases(root: yaml.Node) -> None:
    """Refuse an alias inside the value it names (an endless value) and aliases that expand
    into more than `MAX_NODES` values (a few hundred bytes can otherwise mean gigabytes)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[id(node)] > MAX_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases here expand to more than {MAX_NODES:,} values",
                    node.start_mark,
                )  # fmt: skip
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to the value that contains it", node.start_mark
            )
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _duplicate_place(text: str, first_line: int, found: DuplicateKey) -> tuple[str, int]:
    """The full name (`image.alt`) and line of a key set twice; the node walk knows both."""
    try:
        yaml_lines(text, first_line=first_line)
    except DuplicateKey as exc:
        return exc.key, exc.line
    except (yaml.YAMLError, ValueError, RecursionError):
        pass
    return found.key, found.line + first_line - 1


def _control_problems(raw: RawEvent) -> tuple[Problem, ...]:
    """Control characters (other than tab and newline) in any text of the file: they would
    make the feed invalid XML and reach every page and export."""
    problems = []
    for position, text in _texts(raw.meta):
        match = CONTROL.search(text)
        if match:
            name = ".".join(str(p) for p in position)
            message = f"contains the control character U+{ord(match.group()):04X}; remove it"
            problems.append(Problem(raw.path, raw.line(*position), name, message))
    match = CONTROL.search(raw.body)
    if match:
        line = raw.body_line + raw.body.count("\n", 0, match.start())
        message = f"contains the control character U+{ord(match.group()):04X}; remove it"
        problems.append(Problem(raw.path, line, "body", message))
    return tuple(problems)


def _texts(value: Any) -> Iterator[tuple[Position, str]]:
    """Every string in a loaded document (keys included), with its position."""
    stack: list[tuple[Position, Any]] = [((), value)]
    seen: set[int] = set()
    while stack:
        at, item = stack.pop()
        if isinstance(item, str):
            yield at, item
        elif isinstance(item, dict | list) and id(item) not in seen:
            seen.add(id(item))
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    yield (*at, key), key
                stack.append(((*at, key), child))


def _failed(path: str, digest: str, problem: Problem) -> RawEvent:
    return RawEvent(path, {}, "", 1, digest, (problem,))


def _yaml_problem(path: str, exc: yaml.YAMLError, text: str, first_line: int) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        # A raw control character, which YAML refuses before parsing: PyYAML's message
        # names a position in "<unicode string>" on a second line; say it as the others.
        # (libyaml counts that position in bytes: the line comes from the character's first
        # occurrence, where either reader stops.)
        line = first_line + text.count("\n", 0, text.find(chr(exc.character)))
        character = f"U+{exc.character:04X}"
        message = (
            f"contains the control character {character}, which YAML does not allow; remove it"
        )
        return Problem(path, line, "frontmatter", message)
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark is not None else 1
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(path, line, "frontmatter", f"invalid YAML: {reason}")


def yaml_lines(text: str, *, first_line: int = 1) -> dict[Position, int]:
    """The line of every mapping key and sequence item of a YAML document, from its node
    tree alone (the values are not built: a message needs only where they are)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Position, int] = {}
        if node is not None:
            _collect_lines(node, (), lines, first_line - 1)
        return lines
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
