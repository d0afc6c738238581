"""A read-only mapping split into chunks by key, for the snapshot's parts and indexes (store/snapshot.py).

A write changes a few keys of a part that holds thousands (10,000 users, 20,000 VIP numbers). A new dict
for each snapshot would copy every entry, touching every value's reference count: the cost of a write would
grow with the site. Here a changed copy copies only the chunks its keys fall in (at most 256 entries each)
and the small dict of chunks; every other chunk is shared with the mapping it came from.

Whole numbers (ids) fall in chunks of consecutive keys, kept in key order, so a part built in key order
iterates in key order; other keys (names, numbers as text) fall in chunks by their hash."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, Mapping, ValuesView
from typing import Any

_SHIFT = 8  # ids per chunk: 256
_HASHED = 63  # text keys: 64 chunks


def _chunk(key: Any) -> Any:
    return key >> _SHIFT if isinstance(key, int) else hash(key) & _HASHED


class Chunks(Mapping):
    """An immutable mapping; `changed` makes a new one that shares every chunk it does not change."""

    __slots__ = ("_chunks", "_len")

    def __init__(self, items: Mapping | Iterable[tuple[Any, Any]] = ()) -> None:
        chunks: dict[Any, dict] = {}
        for key, value in (items.items() if isinstance(items, Mapping) else items):
            chunk = chunks.get(_chunk(key))
            if chunk is None:
                chunk = chunks[_chunk(key)] = {}
            chunk[key] = value
        self._chunks = chunks
        self._len = sum(len(c) for c in chunks.values())

    # Reads, spelt out (not Mapping's defaults, which go through __getitem__ and exceptions): phones read all day.
    def __getitem__(self, key: Any) -> Any:
        return self._chunks[_chunk(key)][key]

    def get(self, key: Any, default: Any = None) -> Any:
        chunk = self._chunks.get(_chunk(key))
        return default if chunk is None else chunk.get(key, default)

    def __contains__(self, key: object) -> bool:
        chunk = self._chunks.get(_chunk(key))
        return chunk is not None and key in chunk

    def __iter__(self) -> Iterator:
        for chunk in self._chunks.values():
            yield from chunk

    def __len__(self) -> int:
        return self._len

    def values(self) -> _Values:
        return _Values(self)

    def items(self) -> _Items:
        return _Items(self)

    def __repr__(self) -> str:
        return f"Chunks({dict(self.items())!r})"

    def changed(self, fresh: Mapping, gone: Iterable = (), ordered: bool = False) -> Chunks:
        """A copy with the entries of `fresh` set and the keys `gone` removed. A new key goes last in its chunk,
        or, `ordered`, in key order (with its chunk among the others in key order, for whole-number keys)."""
        chunks = dict(self._chunks)
        copied: dict[Any, dict] = {}  # chunk number -> its copy, made once

        def copy_of(number: Any) -> dict:
            if number not in copied:
                copied[number] = chunks[number] = dict(chunks.get(number, ()))
            return copied[number]

        size = self._len
        for key in gone:
            number = _chunk(key)
            if key in chunks.get(number, ()):
                del copy_of(number)[key]
                size -= 1
        grown = False
        for key, value in fresh.items():
            chunk = copy_of(_chunk(key))
            if key not in chunk:
                size += 1
                grown = True
            chunk[key] = value
        for number, chunk in copied.items():
            if not chunk:
                del chunks[number]
            elif ordered and grown and list(chunk) != sorted(chunk):
                chunks[number] = dict(sorted(chunk.items()))
        if ordered and grown and list(chunks) != sorted(chunks):
            chunks = dict(sorted(chunks.items()))
        out = Chunks.__new__(Chunks)
        out._chunks, out._len = chunks, size
        return out


class _Values(ValuesView):
    def __iter__(self) -> Iterator:
        for chunk in self._mapping._chunks.values():
            yield from chunk.values()


class _Items(ItemsView):
    def __iter__(self) -> Iterator:
        for chunk in self._mapping._chunks.values():
            yield from chunk.items()
