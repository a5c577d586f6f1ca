"""galton: biometric matching from Python.

Fingerprint minutiae extraction, interoperable templates (ISO/IEC 19794-2, ANSI 378),
matching, capture quality of fingerprint and face images, exact face-embedding search, a
persistent gallery with deduplication, and a synthetic fingerprint generator. All the work is
done by the Rust core; heavy calls release the GIL.

>>> import galton
>>> image, truth = galton.synth.fingerprint(seed=1)
>>> template = galton.extract(image)
>>> round(galton.match(template, template), 2) > 0.5
True
>>> galton.Template.from_bytes(template.to_bytes("iso")).width
288

A gallery sharded across the workers of a Dask cluster (identification and all-pairs
deduplication, equal to the single-process results): :mod:`galton.distributed`, imported on
its own (``import galton.distributed``; it needs ``dask[distributed]``, which ``import
galton`` never loads).

Errors derive from :class:`GaltonError` and from the matching built-in exception
(``ValueError``, ``KeyError``, ``OSError``).
"""

from ._errors import (
    BusyError,
    DatabaseError,
    StoreKeyError,
    DuplicateIdError,
    GaltonError,
    GaltonIOError,
    InvalidArgumentError,
    InvalidEmbeddingError,
    InvalidImageError,
    InvalidIndexFileError,
    InvalidTemplateError,
    LimitExceededError,
    NotFoundError,
    UnsupportedResolutionError,
)
from ._types import (
    Alignment,
    DedupReport,
    DuplicatePair,
    EnrollResult,
    Explanation,
    FaceQuality,
    FingerQuality,
    Hit,
    Inconsistency,
    MatchedPair,
    Measure,
    Minutia,
    ModalityScore,
    Verification,
)
from ._galton import (
    THRESHOLD_FMR_0_01_PERCENT,
    THRESHOLD_FMR_0_1_PERCENT,
    THRESHOLD_FMR_1_PERCENT,
    FaceIndex,
    Gallery,
    Matcher,
    PreparedTemplate,
    Template,
    __version__,
    cosine_similarity,
    det_curve,
    error_rates,
    error_reject_curve,
    explain,
    extract,
    extract_many,
    face_quality,
    finger_quality,
    fvc_pairs,
    threshold_at_fmr,
)
from ._galton import match as match  # noqa: PLC0414  (a soft keyword, fine as a name)
from . import metrics, synth

#: Matcher scores at a false match rate of 1 %, 0.1 % and 0.01 % (FVC2002 impostors).
thresholds = {
    "fmr_1_percent": THRESHOLD_FMR_1_PERCENT,
    "fmr_0_1_percent": THRESHOLD_FMR_0_1_PERCENT,
    "fmr_0_01_percent": THRESHOLD_FMR_0_01_PERCENT,
}


def hits_to_pandas(hits):
    """A list of :class:`Hit` (from :meth:`Gallery.identify`) as a pandas DataFrame, one row a
    candidate with a ``score_<modality>`` column per modality (needs pandas)."""
    from ._types import _hits_frame

    return _hits_frame(hits)


__all__ = [
    "__version__",
    # functions
    "extract",
    "extract_many",
    "match",
    "explain",
    "finger_quality",
    "face_quality",
    "cosine_similarity",
    "error_rates",
    "det_curve",
    "threshold_at_fmr",
    "error_reject_curve",
    "fvc_pairs",
    "hits_to_pandas",
    "thresholds",
    # classes
    "Template",
    "PreparedTemplate",
    "Matcher",
    "FaceIndex",
    "Gallery",
    "synth",
    "metrics",
    # results
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
    # errors
    "GaltonError",
    "InvalidImageError",
    "UnsupportedResolutionError",
    "InvalidTemplateError",
    "InvalidEmbeddingError",
    "InvalidIndexFileError",
    "LimitExceededError",
    "NotFoundError",
    "DuplicateIdError",
    "InvalidArgumentError",
    "DatabaseError",
    "StoreKeyError",
    "BusyError",
    "GaltonIOError",
]
