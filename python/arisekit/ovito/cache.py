"""Per-frame result cache kept in OVITO's modifier ``data_cache`` (cleared by OVITO when a parameter that
affects the computation, or anything upstream, changes), bounded by memory, least recently used first out."""

from __future__ import annotations

from arisekit.ovito.compute import FrameResult

__all__ = ["lookup", "store"]

_ORDER = "ARISE.cache.order"


def _slot(frame: int) -> str:
    return f"ARISE.cache.frame{int(frame)}"


def lookup(data_cache, frame: int, key: tuple) -> FrameResult | None:
    """The cached result of ``frame`` if it was computed with ``key`` (parameters + input hash), else None."""
    if data_cache is None:
        return None
    attrs = data_cache.attributes
    result = attrs[_slot(frame)] if _slot(frame) in attrs else None
    if not isinstance(result, FrameResult) or result.key != key:
        return None
    order = [f for f in attrs.get(_ORDER, []) if f != frame] + [frame]
    attrs[_ORDER] = order
    return result


def store(data_cache, frame: int, result: FrameResult, max_bytes: float) -> None:
    """Keep ``result`` for ``frame``; evict least recently used frames beyond ``max_bytes``."""
    if data_cache is None:
        return
    attrs = data_cache.attributes
    order = [f for f in attrs.get(_ORDER, []) if f != frame and _slot(f) in attrs] + [frame]
    attrs[_slot(frame)] = result
    total = sum(attrs[_slot(f)].nbytes for f in order)
    while total > max_bytes and len(order) > 1:
        old = order.pop(0)
        total -= attrs[_slot(old)].nbytes
        del attrs[_slot(old)]
    attrs[_ORDER] = order
