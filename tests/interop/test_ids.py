"""Export GUIDs: uuid5 of the project namespace and ``kind + SEPARATOR + parts``, upper case."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.interop.ids import SEPARATOR, Guids, project_namespace, stable_guid


def _reference(namespace: uuid.UUID, kind: str, *parts: object) -> str:
    return str(uuid.uuid5(namespace, SEPARATOR.join([kind, *map(str, parts)]))).upper()


@given(project=st.text(), kind=st.sampled_from(["selection", "coding", "user", "memo", "source"]),
       parts=st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=5))
def test_guids_are_the_standard_uuid5(project, kind, parts):
    namespace = project_namespace(project)
    guids = Guids(namespace)
    expected = _reference(namespace, kind, *parts)
    assert stable_guid(namespace, kind, *parts) == expected
    assert guids(kind, *parts) == expected
    assert guids(kind, *parts) == expected  # the kind's hashed prefix is reused, not consumed
    assert guids.of(kind, SEPARATOR.join(map(str, parts))) == expected


@pytest.mark.parametrize("name", ["", "é", "\U0001f600", "a" * 200])
def test_every_variant_and_version_bit_as_uuid5_sets_them(name):
    namespace = project_namespace("demo")
    for n in range(64):  # 64 names: every value of the variant's two free bits comes up
        key = f"{name}{n}"
        assert Guids(namespace).of("coding", key) == _reference(namespace, "coding", key)
