"""The exceptions of galton, one class per kind of core error.

Every error the native module raises is a :class:`GaltonError`; each also derives from the
built-in exception a Python caller would expect (``ValueError`` for bad values, ``KeyError``
for a missing id, ``OSError`` for a file that cannot be read), so existing ``except`` clauses
keep working::

    >>> import galton
    >>> try:
    ...     galton.Template.from_bytes(b"not a template")
    ... except ValueError as e:
    ...     print(type(e).__name__)
    InvalidTemplateError
"""

__all__ = [
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


class GaltonError(Exception):
    """Base class of every error raised by galton."""


class InvalidImageError(GaltonError, ValueError):
    """The bytes are not an image galton can decode, or the image is unusable."""


class UnsupportedResolutionError(GaltonError, ValueError):
    """The stated resolution (ppi) is outside 300–1000."""


class InvalidTemplateError(GaltonError, ValueError):
    """A template could not be decoded or encoded."""


class InvalidEmbeddingError(GaltonError, ValueError):
    """A face embedding is unusable: wrong dimension, not finite, or a zero vector."""


class InvalidIndexFileError(GaltonError, ValueError):
    """A file is not a galton face index, or is damaged."""


class LimitExceededError(GaltonError, ValueError):
    """An input is over one of galton's resource limits (image size or bytes, template size,
    views or minutiae, embedding dimension, index size); the message names the limit."""


class NotFoundError(GaltonError, KeyError):
    """The id asked for is not there."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateIdError(GaltonError, ValueError):
    """The id to insert is there already."""


class InvalidArgumentError(GaltonError, ValueError):
    """A value passed is out of range or inconsistent."""


class DatabaseError(GaltonError):
    """A gallery database cannot be used: not a galton database, newer schema, damaged,
    locked, or a write failed."""


class StoreKeyError(GaltonError):
    """A gallery's encryption key is missing, wrong or malformed, or given for a gallery that
    is not encrypted; nothing was read or written with it."""


class BusyError(DatabaseError, TimeoutError):
    """A gallery database stayed locked by another connection (another process) for longer
    than the busy timeout; nothing was changed and the call can be tried again."""


class GaltonIOError(GaltonError, OSError):
    """Reading or writing a file failed (``errno``, ``strerror`` and ``filename`` are set)."""


for _name in __all__:
    globals()[_name].__module__ = "galton"
del _name
