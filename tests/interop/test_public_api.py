"""The packages' public API: every name in ``__all__`` resolves, lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["qualcode.interop", "qualcode.transcripts"])
def test_every_public_name_resolves(package):
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        module.nothing_here  # noqa: B018


@pytest.mark.parametrize("package", ["qualcode.interop", "qualcode.transcripts"])
def test_importing_the_package_loads_nothing_heavy(package):
    code = f"import sys, {package}; print(sorted(m for m in ('sqlalchemy', 'numpy', 'lxml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
