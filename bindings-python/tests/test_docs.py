"""The examples in the docstrings run (those not marked ``+SKIP``, which need files)."""

import doctest
import os

import pytest

import galton
import galton._errors
import galton._types
import galton.synth

from conftest import ROOT

PUBLIC = [getattr(galton, name) for name in galton.__all__]


@pytest.mark.parametrize("module", [galton, galton.synth, galton._errors, galton._types])
def test_module_docstrings(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)
    assert result.failed == 0


def test_native_docstrings(monkeypatch):
    monkeypatch.chdir(ROOT)
    failures = []
    for obj in PUBLIC:
        doc = getattr(obj, "__doc__", None)
        if not isinstance(doc, str) or isinstance(obj, dict):
            continue
        parser = doctest.DocTestParser()
        test = parser.get_doctest(doc, {"galton": galton, **{n: getattr(galton, n) for n in galton.__all__}}, getattr(obj, "__name__", "?"), None, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, out=lambda s: failures.append(s))
    assert not failures, "".join(failures)


def test_every_public_name_is_documented():
    undocumented = [
        name
        for name in galton.__all__
        if not isinstance(getattr(galton, name), dict) and not (getattr(galton, name).__doc__ or "").strip()
    ]
    assert undocumented == []
