"""qualcode.coding names its API in __all__ and loads it on first use."""

import subprocess
import sys

import pytest

import qualcode.coding as coding


def test_all_names_the_api_and_nothing_else():
    assert sorted(coding.__all__) == sorted(coding._API)


@pytest.mark.parametrize("name", sorted(coding._API))
def test_every_public_name_resolves_to_its_module(name):
    value = getattr(coding, name)
    assert getattr(sys.modules[coding._API[name]], name) is value


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        coding.nothing_here  # noqa: B018


def test_importing_the_package_loads_no_store():
    code = "import sys, qualcode.coding; print('sqlalchemy' in sys.modules, 'qualcode.coding.session' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False False"
