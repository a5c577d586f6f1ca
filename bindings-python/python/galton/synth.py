"""The synthetic generator (SFinGe-like): fingerprint images with their true minutiae,
templates-only datasets, and face embeddings; deterministic for a seed.

>>> from galton import synth
>>> image, truth = synth.fingerprint(seed=7, finger=0, impression=1)
>>> image.shape, image.dtype.name
((384, 288), 'uint8')
>>> len(truth.minutiae) > 10
True
>>> sets = synth.templates(seed=7, fingers=3, impressions=2)
>>> len(sets), len(sets[0])
(3, 2)
>>> synth.faces(dim=64, persons=5, captures=2).shape
(10, 64)
"""

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ._galton import Template, synth_faces, synth_fingerprint, synth_templates

__all__ = ["fingerprint", "fingerprints", "templates", "faces"]


def fingerprint(
    seed: int = 0,
    finger: int = 0,
    impression: int = 0,
    config: Optional[Dict[str, Any]] = None,
) -> Tuple[np.ndarray, Template]:
    """Impression ``impression`` of finger ``finger`` of dataset ``seed``: a ``(h, w)``
    uint8 image (ridges dark, 500 ppi) and the :class:`~galton.Template` of its true
    minutiae. ``config`` overrides generator settings, e.g. ``{"noise": 0.0}``."""
    return synth_fingerprint(seed, finger, impression, config)


def fingerprints(
    seed: int = 0,
    fingers: int = 2,
    impressions: int = 2,
    config: Optional[Dict[str, Any]] = None,
) -> List[List[Tuple[np.ndarray, Template]]]:
    """``impressions`` impressions of each of ``fingers`` fingers, as nested lists of
    ``(image, truth)``."""
    return [
        [synth_fingerprint(seed, f, i, config) for i in range(impressions)]
        for f in range(fingers)
    ]


def templates(
    seed: int = 0,
    fingers: int = 10,
    impressions: int = 8,
    first: int = 0,
    config: Optional[Dict[str, Any]] = None,
) -> List[List[Template]]:
    """A templates-only dataset (no images; thousands of fingers per second): for each
    finger, ``impressions`` noisy templates of it (missed, spurious and moved minutiae)."""
    return synth_templates(seed, fingers, impressions, first, config)


def faces(
    dim: int = 128,
    persons: int = 100,
    captures: int = 2,
    spread: float = 0.5,
    seed: int = 0,
) -> np.ndarray:
    """Synthetic face embeddings, float32 ``(persons * captures, dim)``, row
    ``p * captures + c`` being capture ``c`` of person ``p``."""
    return synth_faces(dim, persons, captures, spread, seed)
