"""Identification and deduplication over a gallery sharded across a Dask cluster.

A registry too large for one machine is split into **shards**, each a gallery that one
worker loads by itself; the client only sends shard descriptions and small results:

- a path (``str`` or ``os.PathLike``) to a galton SQLite gallery (:meth:`galton.Gallery.open`),
  the realistic layout: one file per shard on storage every worker can read;
- a :class:`Records` shard: a list of subject records ``(id, fingers, face)`` kept in the task
  graph (for tests and small data), ``fingers`` a dict ``{position: Template, bytes or a
  list of them}`` (bytes in any format :meth:`galton.Template.from_bytes` reads) and
  ``face`` ``None`` or a 1-D float array. The worker enrolls them in order
  (``policy="flag"``, so planted duplicates are stored).

Workers keep loaded shards in a small per-process cache (:data:`CACHE_SIZE` shards,
least recently used dropped first), keyed by the description and the gallery settings, so
the blocks that share a shard load it once per worker.

:func:`deduplicate` makes one task per shard (the shard's own
:meth:`galton.Gallery.deduplicate`) and one task per block of shards ``i < j``: every
subject of shard ``i`` (its stored templates and face) is identified in shard ``j``
(``k`` = the size of shard ``j``, with the prefilter or, with ``exhaustive=True``, against
every subject) and each candidate reaching the gallery's ``duplicate_fmr`` is a pair. The
client merges the pairs and clusters them as the core does (``core/src/gallery/dedup.rs``):

- the **slot order** of the whole registry is shard order, then enrollment order in each
  shard (:meth:`galton.Gallery.ids`); the single-process equivalent is one gallery with the
  shards' subjects enrolled in that order;
- pairs ``(a, b)`` have ``a`` before ``b`` in slot order and are sorted by evidence,
  strongest first, ties by ``(a, b)`` slots;
- clusters are the connected components of the pairs, computed with the same union-find
  (union by size, pairs in report order), members in slot order, largest first, ties in the
  order of their union-find root; ``inconsistent`` records come shard by shard.

The result equals the single-process :meth:`galton.Gallery.deduplicate` when both see the
same candidate pairs: always for the pairs a prefilter shortlist cannot miss, in particular
with ``min_shortlist`` at least the number of templates per finger (every voted candidate
kept) and ``exhaustive=True`` here. Comparisons across shards are probes built from the
stored record; they are bit-identical to the in-gallery comparison for subjects with one
impression per finger and fingers only. Two known differences: a subject with several
impressions of a finger is probed once per impression index (each finger's ``r``-th
impression, the last one reused), the best evidence kept, so its cross-shard evidence lacks
the core's correction for several impression pairs; a face comes back L2-normalised and is
normalised again as a probe, which may move its score by a rounding step. ``compared``
counts full comparisons here (all of each block when exhaustive, the candidates returned
otherwise), not the core's count.

:func:`identify` makes one task per shard and merges the top ``k`` by evidence (ties by shard,
then by each shard's own order, i.e. slot order). With ``exhaustive=True`` it equals the
single-process exhaustive identification; with the prefilter each shard shortlists among its
own subjects.

Any :class:`distributed.Client` works, so any cluster address does::

    >>> from distributed import Client                                 # doctest: +SKIP
    >>> import galton.distributed as gd                                # doctest: +SKIP
    >>> client = Client("tcp://scheduler:8786")                        # doctest: +SKIP
    >>> shards = ["/data/reg-000.db", "/data/reg-001.db", "/data/reg-002.db"]  # doctest: +SKIP
    >>> report = gd.deduplicate(client, shards)                        # doctest: +SKIP
    >>> report.clusters[:1]                                            # doctest: +SKIP
    [['p00017', 'p04211']]
    >>> gd.identify(client, shards, {"right-index": probe}, k=5)[0].id  # doctest: +SKIP
    'p00017'

Dask is imported only by the functions that need a client (this module imports without it).
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ._galton import Gallery, Template
from ._types import DedupReport, DuplicatePair, Hit, Inconsistency

__all__ = ["Records", "deduplicate", "identify", "load_shard", "merge_reports", "CACHE_SIZE"]

#: Shards a worker process keeps loaded (least recently used dropped first).
CACHE_SIZE = int(os.environ.get("GALTON_SHARD_CACHE", "4"))

_SETTINGS = ("match_fmr", "duplicate_fmr", "min_shortlist", "shortlist_fraction")


@dataclass(frozen=True)
class Records:
    """An in-memory shard: subject records ``(id, fingers, face)`` enrolled in order.

    ``fingers``: ``{position: Template | bytes | [Template | bytes, ...]}``; ``face``: ``None``
    or a 1-D float array. ``key`` identifies the shard in the workers' cache (by default a
    digest of the records).

    >>> t = galton.synth.templates(seed=1, fingers=1, impressions=1)[0][0]   # doctest: +SKIP
    >>> Records([("ana", {"right-index": t.to_bytes("galton")}, None)])   # doctest: +SKIP
    """

    records: Tuple[Tuple[str, Dict[str, Any], Any], ...]
    key: str = ""

    def __init__(self, records: Sequence[Tuple[str, Dict[str, Any], Any]], key: str = ""):
        recs = tuple((str(r[0]), dict(r[1] or {}), r[2] if len(r) > 2 else None) for r in records)
        if not key:
            key = "records:" + hashlib.sha1(pickle.dumps(recs)).hexdigest()
        object.__setattr__(self, "records", recs)
        object.__setattr__(self, "key", key)

    def __repr__(self) -> str:
        return f"Records({len(self.records)} subjects, key={self.key!r})"


Shard = Union[str, "os.PathLike[str]", Records]

_cache: "OrderedDict[Any, Gallery]" = OrderedDict()
_cache_lock = threading.Lock()
_loading: Dict[Any, threading.Lock] = {}


def _key(shard: Shard, settings: Dict[str, Any]) -> Any:
    s = tuple(sorted((k, v) for k, v in settings.items() if v is not None))
    if isinstance(shard, Records):
        return (shard.key, s)
    return ("sqlite:" + os.path.abspath(os.fspath(shard)), s)


def _template(t: Any) -> Template:
    return t if isinstance(t, Template) else Template.from_bytes(t)


def _build(shard: Shard, settings: Dict[str, Any]) -> Gallery:
    if not isinstance(shard, Records):
        return Gallery.open(os.fspath(shard), **settings)
    g = Gallery(**settings)
    for id, fingers, face in shard.records:
        fs = {
            pos: [_template(x) for x in v] if isinstance(v, (list, tuple)) else _template(v)
            for pos, v in fingers.items()
        }
        g.enroll(id, fs or None, face=face, policy="flag")
    return g


def load_shard(shard: Shard, **settings: Any) -> Gallery:
    """The gallery of a shard, from this process's cache or loaded (and cached).

    ``settings``: the :class:`galton.Gallery` keyword arguments (``match_fmr``,
    ``duplicate_fmr``, ``min_shortlist``, ``shortlist_fraction``), part of the cache key.

    >>> g = load_shard("/data/reg-000.db", min_shortlist=100)            # doctest: +SKIP
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    key = _key(shard, settings)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        lock = _loading.setdefault(key, threading.Lock())
    with lock:  # one load per key, even with several threads per worker
        with _cache_lock:
            if key in _cache:
                return _cache[key]
        g = _build(shard, settings)
        with _cache_lock:
            _cache[key] = g
            while len(_cache) > max(CACHE_SIZE, 1):
                _cache.popitem(last=False)
            _loading.pop(key, None)
        return g


def _settings(**kw: Any) -> Dict[str, Any]:
    return {k: v for k, v in kw.items() if k in _SETTINGS and v is not None}


# ---- tasks (run on workers) ----


def _within_task(shard: Shard, settings: Dict[str, Any]) -> Tuple[List[str], DedupReport]:
    g = load_shard(shard, **settings)
    return g.ids(), g.deduplicate()


def _probes(fingers: Dict[str, List[Template]]) -> List[Dict[str, Template]]:
    n = max((len(v) for v in fingers.values()), default=0)
    return [{p: v[min(r, len(v) - 1)] for p, v in fingers.items()} for r in range(n)] or [{}]


def _block_task(
    a: Shard, b: Shard, settings: Dict[str, Any], exhaustive: bool
) -> Tuple[List[DuplicatePair], int]:
    """Every subject of shard ``a`` identified in shard ``b``: the pairs reaching ``b``'s
    ``duplicate_fmr`` and the number of full comparisons."""
    ga, gb = load_shard(a, **settings), load_shard(b, **settings)
    bans = -math.log10(gb.duplicate_fmr)
    n = len(gb)
    out: List[DuplicatePair] = []
    compared = 0
    for id in ga.ids():
        face = ga.face(id)
        best: Dict[str, Hit] = {}
        for fingers in _probes(ga.templates(id)):
            if not fingers and face is None:
                continue
            hits = gb.identify(fingers or None, face, k=max(n, 1), exhaustive=exhaustive)
            compared += n if exhaustive else len(hits)
            for h in hits:
                if h.id not in best or h.evidence > best[h.id].evidence:
                    best[h.id] = h
        for h in best.values():
            if h.modalities and h.evidence >= bans:
                out.append(DuplicatePair(id, h.id, h.evidence, h.fmr, list(h.modalities)))
    return out, compared


def _identify_task(
    shard: Shard, settings: Dict[str, Any], fingers: Any, face: Any, k: int, exhaustive: bool
) -> List[Hit]:
    g = load_shard(shard, **settings)
    return g.identify(fingers, face, k=k, exhaustive=exhaustive)


# ---- client side ----


class _UnionFind:
    """The core's union-find (union by size, the larger root kept, ties to the first)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]


def merge_reports(
    ids: Sequence[Sequence[str]],
    within: Sequence[DedupReport],
    across: Sequence[DuplicatePair],
    compared: int = 0,
) -> DedupReport:
    """Merges per-shard reports and cross-shard pairs into one :class:`galton.DedupReport`,
    ordered and clustered as the core orders and clusters one gallery whose slot order is
    the shards' ids concatenated.

    >>> merge_reports([["a"], ["b"]], [r0, r1], [DuplicatePair("a", "b", 9.0, 1e-9)])  # doctest: +SKIP
    """
    slot: Dict[str, int] = {}
    for shard_ids in ids:
        for id in shard_ids:
            if id in slot:
                raise ValueError(f"id {id!r} is in more than one shard")
            slot[id] = len(slot)
    pairs = [p for r in within for p in r.pairs] + list(across)
    norm = []
    for p in pairs:
        a, b = slot[p.a], slot[p.b]
        if a > b:
            p = DuplicatePair(p.b, p.a, p.evidence, p.fmr, list(p.modalities))
            a, b = b, a
        norm.append((a, b, p))
    norm.sort(key=lambda x: (-x[2].evidence, x[0], x[1]))
    sets = _UnionFind(len(slot))
    for a, b, _ in norm:
        sets.union(a, b)
    groups: Dict[int, List[int]] = {}
    for a, b, _ in norm:
        for s in (a, b):
            groups.setdefault(sets.find(s), []).append(s)
    order = [""] * len(slot)
    for id, s in slot.items():
        order[s] = id
    clusters = [[order[s] for s in sorted(set(groups[r]))] for r in sorted(groups)]
    clusters.sort(key=len, reverse=True)
    return DedupReport(
        pairs=[p for _, _, p in norm],
        clusters=clusters,
        inconsistent=[i for r in within for i in r.inconsistent],
        subjects=sum(r.subjects for r in within),
        compared=sum(r.compared for r in within) + compared,
    )


def deduplicate(
    client: Any,
    shards: Sequence[Shard],
    *,
    exhaustive: bool = False,
    match_fmr: Optional[float] = None,
    duplicate_fmr: Optional[float] = None,
    min_shortlist: Optional[int] = None,
    shortlist_fraction: Optional[float] = None,
) -> DedupReport:
    """All-pairs deduplication of a sharded registry on a Dask cluster: a
    :class:`galton.DedupReport` ordered and clustered as one gallery holding the shards'
    subjects in shard order (see the module documentation).

    ``client``: a :class:`distributed.Client` (any cluster); ``shards``: SQLite paths or
    :class:`Records`; the keyword settings are the :class:`galton.Gallery` ones, applied to
    every shard; ``exhaustive`` compares every cross-shard pair in full instead of using
    the prefilter. Tasks: one per shard and one per block ``i < j``.

    >>> report = deduplicate(client, ["a.db", "b.db"], duplicate_fmr=1e-8)   # doctest: +SKIP
    >>> [(p.a, p.b) for p in report.pairs]                                # doctest: +SKIP
    [('p00017', 'p04211')]
    """
    shards = list(shards)
    settings = _settings(
        match_fmr=match_fmr,
        duplicate_fmr=duplicate_fmr,
        min_shortlist=min_shortlist,
        shortlist_fraction=shortlist_fraction,
    )
    within_f = [
        client.submit(_within_task, s, settings, pure=False) for s in shards
    ]
    block_f = [
        client.submit(
            _block_task,
            shards[i],
            shards[j],
            settings,
            exhaustive,
            pure=False,
        )
        for i in range(len(shards))
        for j in range(i + 1, len(shards))
    ]
    within = client.gather(within_f)
    blocks = client.gather(block_f)
    return merge_reports(
        [ids for ids, _ in within],
        [r for _, r in within],
        [p for pairs, _ in blocks for p in pairs],
        sum(c for _, c in blocks),
    )


def identify(
    client: Any,
    shards: Sequence[Shard],
    fingers: Any = None,
    face: Any = None,
    k: int = 10,
    *,
    exhaustive: bool = False,
    match_fmr: Optional[float] = None,
    duplicate_fmr: Optional[float] = None,
    min_shortlist: Optional[int] = None,
    shortlist_fraction: Optional[float] = None,
) -> List[Hit]:
    """1:N over a sharded registry: the ``k`` best :class:`galton.Hit` over all shards, best
    first (one task per shard; ties in shard order, then each shard's order).

    ``fingers`` and ``face`` as in :meth:`galton.Gallery.identify`; the settings as in
    :func:`deduplicate`.

    >>> identify(client, ["a.db", "b.db"], {"right-index": probe}, k=3)[0].id   # doctest: +SKIP
    'p00017'
    """
    shards = list(shards)
    settings = _settings(
        match_fmr=match_fmr,
        duplicate_fmr=duplicate_fmr,
        min_shortlist=min_shortlist,
        shortlist_fraction=shortlist_fraction,
    )
    futures = [
        client.submit(_identify_task, s, settings, fingers, face, k, exhaustive, pure=False)
        for s in shards
    ]
    results = client.gather(futures)
    ranked = [
        (-h.evidence, i, r, h) for i, hits in enumerate(results) for r, h in enumerate(hits)
    ]
    ranked.sort(key=lambda x: x[:3])
    return [h for _, _, _, h in ranked[:k]]

