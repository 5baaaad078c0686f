"""Stored suggestion models are plain data: a crafted ``models`` row can never run code."""

from __future__ import annotations

import io
import json
import os
import pickle

import numpy as np
import pytest
from sqlalchemy import insert, select, update

from qualcode.coding import learn
from qualcode.coding.model_io import ModelFormatError, model_from_bytes
from qualcode.store.schema import models
from tests.coding.conftest import coded_project  # noqa: F401  (a fixture: alice coded six transcripts)
from tests.security.hostile import assert_one_line_refusal, run_cli

pytestmark = pytest.mark.coders('alice')


class _Exploit:
    """Unpickling this runs a shell command that creates a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _store(project, payload: bytes) -> None:
    with project.write() as conn:
        conn.execute(insert(models).values(
            name=learn.MODEL_NAME, trained_from="mallory", codebook_hash=project.codebook.hash, data_hash="0" * 64,
            payload=payload, report={}, created_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
        ))


def test_a_pickled_models_row_is_refused_and_never_unpickled(project, tmp_path):
    marker = tmp_path / "owned"
    _store(project, pickle.dumps({"version": 1, "vectorizer": _Exploit(str(marker))}))
    result = run_cli(project, "suggest", "predict")
    assert_one_line_refusal(result, "old pickled format", "retrain")
    assert not marker.exists()


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _header(**fields) -> np.ndarray:
    return np.frombuffer(json.dumps(fields).encode(), dtype=np.uint8)


DAMAGED = {
    "not-a-zip": b"PK\x03\x04garbage",
    "object-array": None,  # filled in below: an npz holding a pickled object array
    "wrong-format": _npz(header=_header(format="other")),
    "bad-analyzer": _npz(header=_header(format="qualcode-model/2", codes=[], code_roles={}, thresholds={}, parts=[
        {"name": "w", "analyzer": "evil", "ngram_range": [1, 2], "strip_accents": None, "sublinear_tf": True,
         "vocabulary": ["a"]}]), idf_0=np.ones(1), coef=np.zeros((0, 1)), intercept=np.zeros(0)),
    "shape-mismatch": _npz(header=_header(format="qualcode-model/2", codes=["x"], code_roles={"x": []},
                           thresholds={}, parts=[{"name": "w", "analyzer": "word", "ngram_range": [1, 1],
                           "strip_accents": None, "sublinear_tf": True, "vocabulary": ["a", "b"]}]),
                           idf_0=np.ones(2), coef=np.zeros((1, 5)), intercept=np.zeros(1)),
}
_buffer = io.BytesIO()
np.savez(_buffer, header=np.array([_Exploit("/tmp/qualcode-never")], dtype=object))
DAMAGED["object-array"] = _buffer.getvalue()


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_plain_model_is_refused_in_one_line(case):
    with pytest.raises(ModelFormatError, match="retrain") as caught:
        model_from_bytes(DAMAGED[case], label="model (id 1, trained from x)")
    assert "\n" not in str(caught.value)


def test_the_stored_model_predicts_exactly_what_the_fitted_one_did(coded_project):
    turns = learn.coder_turns(coded_project, "alice")
    fitted = learn.fit(turns, coded_project.codebook, 5)
    learn.save_model(coded_project, fitted, "alice", learn.data_hash(turns, 5))
    loaded = learn.load_model(coded_project).model
    texts = [t.text for t in turns] + ["Never seen words: zebra hotline shelter."]
    roles = [t.role for t in turns] + ["service_provider"]
    before, after = fitted.probabilities(texts, roles), loaded.probabilities(texts, roles)
    assert [sorted(d) for d in before] == [sorted(d) for d in after]
    for old, new in zip(before, after, strict=True):
        assert all(abs(old[c] - new[c]) < 1e-12 for c in old)
    assert loaded.thresholds == fitted.thresholds and loaded.code_roles == fitted.code_roles


def test_a_stored_payload_is_never_a_pickle(coded_project):
    learn.train(coded_project, "alice", min_positive=5)
    with coded_project.read() as conn:
        payload = conn.execute(select(models.c.payload)).scalar_one()
    assert bytes(payload).startswith(b"PK\x03\x04")
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:  # loads without pickle
        assert "header" in npz.files


def test_replacing_the_newest_row_with_a_pickle_is_refused(coded_project, tmp_path):
    learn.train(coded_project, "alice", min_positive=5)
    marker = tmp_path / "owned"
    with coded_project.write() as conn:
        conn.execute(update(models).values(payload=pickle.dumps(_Exploit(str(marker)))))
    with pytest.raises(ModelFormatError, match="old pickled format"):
        learn.load_model(coded_project)
    assert not marker.exists()
