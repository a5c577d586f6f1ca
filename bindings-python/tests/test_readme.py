"""Every ``python`` block of the READMEs runs as written from the project root."""

import os
import re

import pytest

from conftest import ROOT

READMES = [ROOT / "README.md", ROOT / "bindings-python" / "README.md"]
BLOCKS = [
    pytest.param(code, id=f"{path.relative_to(ROOT)}#{i}")
    for path in READMES
    for i, code in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(), re.S))
]


def test_the_readmes_have_python_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS)
def test_readme_block_runs(code, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(code, "<README>", "exec"), {"__name__": "__readme__"})
