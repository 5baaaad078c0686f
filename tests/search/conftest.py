import pytest

from tests.search.study import build_study


@pytest.fixture
def study(project):
    return build_study(project)
