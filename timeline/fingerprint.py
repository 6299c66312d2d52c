"""Page keys: everything a page's rendering depends on, as one comparable value.

Templates see only a page's context (plus the configuration and the theme, which the
renderer's key covers), so a page whose key is unchanged would render to the same bytes.
Events stand in by the hash of their source file, computed once when the file was read.
Keys are nested tuples, cheap to build and compare; `stable_hash` turns one into a short
string for caches kept on disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Hashable, Mapping
from typing import Any

from .model import Event


def atoms(value: Any) -> Hashable:
    """`value` as nested tuples of plain values, each event reduced to its source hash."""
    kind = type(value)
    if kind is Event:
        return f"{value.digest}:{value.path}"
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is tuple or kind is list:
        return tuple(atoms(item) for item in value)
    if isinstance(value, Mapping):
        return tuple((key, atoms(value[key])) for key in sorted(value))
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return (kind.__name__, *(atoms(getattr(value, f.name)) for f in fields))
    raise TypeError(f"cannot fingerprint {kind.__name__}; teach fingerprint.atoms about it")


def stable_hash(key: Hashable) -> str:
    """A short hash of a key made by `atoms`, the same in every process."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
