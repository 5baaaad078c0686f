import pytest

from tests.search.study import build_study, code_study


@pytest.fixture
def study(project):
    return build_study(project)

@pytest.fixture
def coded(study):
    return code_study(study)
