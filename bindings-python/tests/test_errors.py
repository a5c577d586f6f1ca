"""Every exception class, raised by a real bad input; bad types raise TypeError."""

import sqlite3

import numpy as np
import pytest

import galton

from conftest import SYNTH


def test_hierarchy():
    E = galton
    for cls, base in [
        (E.InvalidImageError, ValueError),
        (E.UnsupportedResolutionError, ValueError),
        (E.InvalidTemplateError, ValueError),
        (E.InvalidEmbeddingError, ValueError),
        (E.InvalidIndexFileError, ValueError),
        (E.LimitExceededError, ValueError),
        (E.NotFoundError, KeyError),
        (E.DuplicateIdError, ValueError),
        (E.InvalidArgumentError, ValueError),
        (E.GaltonIOError, OSError),
    ]:
        assert issubclass(cls, E.GaltonError) and issubclass(cls, base), cls
    assert issubclass(E.DatabaseError, E.GaltonError)
    assert issubclass(E.StoreKeyError, E.GaltonError)
    assert issubclass(E.BusyError, E.DatabaseError) and issubclass(E.BusyError, TimeoutError)
    assert E.InvalidImageError.__module__ == "galton"


def test_corrupt_image_bytes():
    data = (SYNTH / "1_1.png").read_bytes()
    with pytest.raises(galton.InvalidImageError, match="invalid image"):
        galton.extract(data[: len(data) // 3])
    with pytest.raises(galton.InvalidImageError):
        galton.extract(b"\x89PNG but not really")


def test_limit_exceeded():
    # A PNG header claiming 100000 x 100000 pixels, refused before decoding.
    import struct
    import zlib

    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    png += struct.pack(">I", 0) + b"IDAT" + struct.pack(">I", zlib.crc32(b"IDAT"))  # empty
    with pytest.raises(galton.LimitExceededError, match="DecodeLimits::max_side"):
        galton.extract(png)
    # 300 minutiae in one view: over the 255 a decoded record may hold.
    minutia = '{"x": 1, "y": 2, "direction_deg": 3, "kind": "ending", "quality": 4}'
    doc = (
        '{"format": "galton-template", "version": 1, "views": [{"width": 400, '
        '"height": 400, "ppi": 500, "minutiae": [' + ", ".join([minutia] * 300) + "]}]}"
    )
    with pytest.raises(galton.LimitExceededError, match="TemplateLimits::max_minutiae"):
        galton.Template.from_bytes(doc.encode())
    with pytest.raises(galton.LimitExceededError, match="embedding"):
        galton.FaceIndex(5000)


def test_blank_image_array():
    with pytest.raises(galton.InvalidImageError):
        galton.extract(np.full((300, 300), 128, np.uint8))


def test_wrong_image_types_and_shapes():
    with pytest.raises(TypeError):
        galton.extract(12345)
    with pytest.raises(TypeError):
        galton.extract(np.zeros((300, 300), np.float32))
    with pytest.raises(galton.InvalidImageError):
        galton.extract(np.zeros((300, 300, 3), np.uint8))  # a fingerprint is gray
    with pytest.raises(galton.InvalidImageError):
        galton.extract(np.zeros((0, 300), np.uint8))


def test_unsupported_resolution():
    with pytest.raises(galton.UnsupportedResolutionError, match="ppi"):
        galton.extract(SYNTH / "1_1.png", ppi=100)


def test_missing_file_is_oserror(tmp_path):
    missing = tmp_path / "nope.png"
    with pytest.raises(galton.GaltonIOError) as e:
        galton.extract(missing)
    assert isinstance(e.value, OSError) and e.value.errno == 2 and e.value.filename == str(missing)
    with pytest.raises(FileNotFoundError.__mro__[1]):  # OSError
        galton.FaceIndex.load(missing)


def test_truncated_template():
    data = galton.extract(SYNTH / "1_1.png").to_bytes("iso")
    with pytest.raises(galton.InvalidTemplateError, match="template"):
        galton.Template.from_bytes(data[:-7])
    with pytest.raises(galton.InvalidTemplateError):
        galton.Template.from_bytes(b"")
    with pytest.raises(TypeError):
        galton.Template.from_bytes("not bytes")
    with pytest.raises(ValueError):
        galton.extract(SYNTH / "1_1.png").to_bytes("xml")


def test_nan_and_zero_embeddings():
    index = galton.FaceIndex(4)
    bad = np.array([[1, 0, 0, 0], [np.nan, 0, 0, 0]], np.float32)
    with pytest.raises(galton.InvalidEmbeddingError, match="row 1"):
        index.add([1, 2], bad)
    assert len(index) == 0  # all or nothing
    with pytest.raises(galton.InvalidEmbeddingError):
        index.add(3, np.zeros(4, np.float32))
    with pytest.raises(galton.InvalidEmbeddingError):
        index.search(np.array([np.inf, 0, 0, 0], np.float32), 1)


def test_wrong_dimensions():
    index = galton.FaceIndex(4)
    with pytest.raises(galton.InvalidEmbeddingError, match="dimension"):
        index.add([1], np.ones((1, 5), np.float32))
    index.add([1], np.ones((1, 4), np.float32))
    with pytest.raises(galton.InvalidEmbeddingError):
        index.search(np.ones((2, 3), np.float32), 1)
    with pytest.raises(galton.InvalidEmbeddingError):
        index.add([2], np.ones((1, 1, 4), np.float32))
    with pytest.raises(galton.InvalidArgumentError):
        index.add([2, 3], np.ones((1, 4), np.float32))  # 2 ids, 1 row
    with pytest.raises(galton.InvalidArgumentError):
        galton.FaceIndex(0)
    with pytest.raises(TypeError):
        index.add(["a"], np.ones((1, 4), np.float32))
    with pytest.raises(ValueError):
        galton.FaceIndex(4, encoding="int4")


def test_duplicate_and_unknown_ids():
    index = galton.FaceIndex(4)
    index.add([1], np.ones((1, 4), np.float32))
    with pytest.raises(galton.DuplicateIdError):
        index.add([1], np.ones((1, 4), np.float32))
    with pytest.raises(galton.NotFoundError) as e:
        index.remove(42)
    assert isinstance(e.value, KeyError) and "42" in str(e.value)
    with pytest.raises(KeyError):
        index.get(42)
    g = galton.Gallery()
    with pytest.raises(galton.NotFoundError):
        g.remove("nobody")
    with pytest.raises(galton.NotFoundError):
        g.verify("nobody", {"right-index": galton.extract(SYNTH / "1_1.png")})
    with pytest.raises(galton.NotFoundError):
        g.metadata("nobody")


def test_damaged_face_index_file(tmp_path):
    path = tmp_path / "faces.gfi"
    path.write_bytes(b"definitely not an index")
    with pytest.raises(galton.InvalidIndexFileError):
        galton.FaceIndex.load(path)
    index = galton.FaceIndex(4)
    index.add([1, 2], np.eye(4, dtype=np.float32)[:2])
    data = bytearray(index.to_bytes())
    data[-3] ^= 0xFF
    with pytest.raises(galton.InvalidIndexFileError):
        galton.FaceIndex.from_bytes(bytes(data))


def test_non_galton_database(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.commit()
    con.close()
    with pytest.raises(galton.DatabaseError):
        galton.Gallery.open(path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(galton.DatabaseError):
        galton.Gallery.open(junk)


def test_gallery_key(tmp_path):
    path = tmp_path / "sealed.db"
    key = "ab" * 32
    g = galton.Gallery.open(path, key=key, operator="clerk-1")
    g.enroll("A", face=np.array([0.6, 0.8, 0.0], dtype=np.float32))
    del g
    with pytest.raises(galton.StoreKeyError, match="encrypted"):
        galton.Gallery.open(path)
    with pytest.raises(galton.StoreKeyError, match="wrong key"):
        galton.Gallery.open(path, key="cd" * 32)
    with pytest.raises(galton.StoreKeyError):
        galton.Gallery.open(path, key="not a key")
    assert len(galton.Gallery.open(path, key=key)) == 1


def test_invalid_arguments():
    with pytest.raises(galton.InvalidArgumentError):
        galton.Gallery(match_fmr=2.0)
    g = galton.Gallery()
    with pytest.raises(galton.InvalidArgumentError):
        g.identify()  # an empty probe
    with pytest.raises(galton.InvalidArgumentError):
        g.enroll("", {"right-index": galton.extract(SYNTH / "1_1.png")})
    with pytest.raises(TypeError):
        galton.Gallery.open(42)
