"""Plain result objects returned by the native module (frozen dataclasses).

They hold Python values only (``float``, ``int``, ``str``, lists, tuples), so they can be
pickled, compared, turned into dicts with :func:`dataclasses.asdict`, or, for the list-like
results, into pandas DataFrames with ``to_pandas()`` when pandas is installed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

__all__ = [
    "Minutia",
    "MatchedPair",
    "Alignment",
    "Explanation",
    "Measure",
    "FingerQuality",
    "FaceQuality",
    "ModalityScore",
    "Hit",
    "Verification",
    "EnrollResult",
    "DuplicatePair",
    "Inconsistency",
    "DedupReport",
]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas() needs pandas: pip install pandas") from e
    return pandas


def _records_frame(items) -> Any:
    return _pandas().DataFrame([_flat(i) for i in items])


def _flat(item) -> dict:
    out = {}
    for k, v in dataclasses.asdict(item).items():
        if k == "modalities":
            for m in v:
                out[f"score_{m['modality']}"] = m["score"]
        else:
            out[k] = v
    return out


@dataclass(frozen=True)
class Minutia:
    """One minutia.

    ``x``, ``y`` in pixels of the original image (y down), ``direction`` in radians
    ``[0, 2π)`` counter-clockwise as seen, ``kind`` ``"ending"``, ``"bifurcation"`` or
    ``"other"``, ``quality`` 0–100.

    >>> Minutia(10.0, 20.0, 1.5, "ending", 80)
    Minutia(x=10.0, y=20.0, direction=1.5, kind='ending', quality=80)
    """

    x: float
    y: float
    direction: float
    kind: str = "ending"
    quality: int = 100


@dataclass(frozen=True)
class MatchedPair:
    """A pair of minutiae matched by :meth:`Matcher.explain`: indices into each template's
    ``minutiae`` and the pair's weight (0–1)."""

    probe: int
    candidate: int
    weight: float


@dataclass(frozen=True)
class Alignment:
    """Rigid alignment of the probe onto the candidate (at 500 ppi, y up): rotation in
    radians, translation in pixels, scale."""

    rotation: float
    dx: float
    dy: float
    scale: float


@dataclass(frozen=True)
class Explanation:
    """Why two templates scored as they did: the score, the matched pairs (best first) and
    the estimated alignment."""

    score: float
    pairs: List[MatchedPair]
    alignment: Alignment


@dataclass(frozen=True)
class Measure:
    """One quality measure: stable ``id``, ``score`` 0–100, ``passed`` its threshold, and the
    raw ``value`` in the measure's unit."""

    id: str
    score: float
    passed: bool
    value: float


@dataclass(frozen=True)
class FingerQuality:
    """The quality of a fingerprint image (see :func:`galton.finger_quality`)."""

    score: float
    passed: bool
    measures: List[Measure]
    feedback: List[str]
    messages: List[str]
    features: Optional[dict] = None

    def measure(self, id: str) -> Optional[Measure]:
        """The measure with this id, or ``None``."""
        return next((m for m in self.measures if m.id == id), None)

    def to_pandas(self):
        """The measures as a DataFrame (needs pandas)."""
        return _records_frame(self.measures)


@dataclass(frozen=True)
class FaceQuality:
    """The quality of a face image (see :func:`galton.face_quality`). ``region`` is the
    analysed pixel rectangle ``(x, y, width, height)``; ``inter_eye_source`` is ``"eyes"``,
    ``"box"`` or ``"assumed"``."""

    score: float
    passed: bool
    measures: List[Measure]
    feedback: List[str]
    messages: List[str]
    region: Tuple[int, int, int, int] = (0, 0, 0, 0)
    inter_eye_source: str = "assumed"

    def measure(self, id: str) -> Optional[Measure]:
        """The measure with this id, or ``None``."""
        return next((m for m in self.measures if m.id == id), None)

    def to_pandas(self):
        """The measures as a DataFrame (needs pandas)."""
        return _records_frame(self.measures)


@dataclass(frozen=True)
class ModalityScore:
    """One modality's part in a gallery comparison: ``modality`` is a finger position name
    (``"right-index"``) or ``"face"``; ``evidence`` is −log10 of its false match rate."""

    modality: str
    score: float
    evidence: float

    @property
    def fmr(self) -> float:
        """The false match rate of this score alone."""
        return 10.0 ** (-self.evidence)


@dataclass(frozen=True)
class Hit:
    """A gallery candidate: its id, whether it matches at the gallery's ``match_fmr``, the
    fused evidence and false match rate, and the per-modality scores."""

    id: str
    is_match: bool
    evidence: float
    fmr: float
    modalities: List[ModalityScore] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    """The result of :meth:`Gallery.verify` (1:1 against a claimed id)."""

    id: str
    is_match: bool
    evidence: float
    fmr: float
    modalities: List[ModalityScore] = field(default_factory=list)


@dataclass(frozen=True)
class EnrollResult:
    """What :meth:`Gallery.enroll` did.

    ``outcome`` is one of ``"enrolled"``, ``"flagged"`` (stored, marked for review),
    ``"rejected-duplicate"``, ``"id-registered-with-different-biometrics"`` or
    ``"already-enrolled"``; ``stored`` tells whether the subject is now in the gallery;
    ``duplicates`` lists the matching subjects (flagged or rejected); ``comparison`` is the
    comparison with the record already under that id, for the last two outcomes.
    """

    outcome: str
    stored: bool
    duplicates: List[Hit] = field(default_factory=list)
    comparison: Optional[Verification] = None


@dataclass(frozen=True)
class DuplicatePair:
    """Two subjects found to be the same person by :meth:`Gallery.deduplicate`."""

    a: str
    b: str
    evidence: float
    fmr: float
    modalities: List[ModalityScore] = field(default_factory=list)


@dataclass(frozen=True)
class Inconsistency:
    """A subject whose impressions of one finger do not match each other."""

    id: str
    finger: str
    score: float


@dataclass(frozen=True)
class DedupReport:
    """The result of :meth:`Gallery.deduplicate`."""

    pairs: List[DuplicatePair]
    clusters: List[List[str]]
    inconsistent: List[Inconsistency]
    subjects: int
    compared: int

    def to_pandas(self):
        """The duplicate pairs as a DataFrame, one row a pair (needs pandas)."""
        return _records_frame(self.pairs)


def _hits_frame(hits) -> Any:
    """A list of :class:`Hit` as a DataFrame (needs pandas)."""
    return _records_frame(hits)


for _name in __all__:
    globals()[_name].__module__ = "galton"
del _name
