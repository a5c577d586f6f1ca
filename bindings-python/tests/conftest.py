"""Shared paths and data of the Python test suite.

Fixtures come from the repository's ``fixtures/``; the real FVC2002 images from
``../shared/datasets`` beside the project root, or ``$GALTON_DATASETS``. Tests that need the
datasets fail (never skip) when they are missing.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SYNTH = FIXTURES / "synth"
FACE = FIXTURES / "face"


def datasets_dir() -> Path:
    env = os.environ.get("GALTON_DATASETS")
    return Path(env) if env else ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def fvc_db1b() -> Path:
    d = datasets_dir() / "fvc2002" / "DB1_B"
    files = sorted(d.glob("*.tif"))
    if not files:
        pytest.fail(
            f"FVC2002 DB1_B images not found in {d}: put the datasets in ../shared/datasets "
            "beside the project root or set GALTON_DATASETS"
        )
    return d


@pytest.fixture(scope="session")
def synth_png() -> Path:
    return SYNTH / "1_1.png"


@pytest.fixture(scope="session")
def synth_truth() -> dict:
    return json.loads((SYNTH / "1_1.json").read_text())


@pytest.fixture(scope="session")
def astronaut():
    meta = json.loads((FACE / "astronaut.json").read_text())
    return FACE / "astronaut.jpg", meta


@pytest.fixture(scope="session")
def synth_image():
    """A synthetic impression as an array, with its true template."""
    import galton

    return galton.synth.fingerprint(seed=3, finger=1, impression=0)
