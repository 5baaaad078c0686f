"""A trained suggestion model as plain data: never pickle.

A stored model is a NumPy ``.npz`` archive read with ``allow_pickle=False``: a JSON
header (the two TF-IDF vectorizers' settings and vocabularies, the codes in order,
their roles and thresholds) and numeric arrays (each vectorizer's idf, one row of
logistic-regression coefficients and one intercept per code). Loading rebuilds the
scikit-learn objects from those numbers, so a crafted ``models`` row can at worst be
refused as damaged; it can never run code. Rows in the old pickled format are refused
with a message to retrain.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from qualcode.errors import QualcodeError

FORMAT = "qualcode-model/2"
NPZ_MAGIC = b"PK\x03\x04"
PICKLE_MAGIC = b"\x80"
ANALYZERS = ("word", "char_wb")
ACCENTS = (None, "unicode")
MAX_PAYLOAD_BYTES = 2 * 2**30  # refused beyond this, before anything is inflated


class ModelFormatError(QualcodeError):
    """A stored model that is not in the plain-data format (old pickle, or damaged)."""


def model_to_bytes(vectorizer, classifiers: dict[str, Any], code_roles: dict, thresholds: dict) -> bytes:
    """The ``.npz`` bytes of a fitted FeatureUnion of TF-IDF vectorizers and per-code classifiers."""
    import numpy as np

    parts, arrays = [], {}
    for index, (name, part) in enumerate(vectorizer.transformer_list):
        params = part.get_params()
        parts.append({
            "name": name, "analyzer": params["analyzer"], "ngram_range": list(params["ngram_range"]),
            "strip_accents": params["strip_accents"], "sublinear_tf": bool(params["sublinear_tf"]),
            "vocabulary": sorted(part.vocabulary_, key=part.vocabulary_.__getitem__),
        })
        arrays[f"idf_{index}"] = np.asarray(part.idf_, dtype=np.float64)
    codes = list(classifiers)
    width = sum(len(p["vocabulary"]) for p in parts)
    arrays["coef"] = np.vstack([np.asarray(classifiers[c].coef_, np.float64).reshape(1, -1) for c in codes]) \
        if codes else np.zeros((0, width))
    arrays["intercept"] = np.asarray([float(classifiers[c].intercept_[0]) for c in codes], dtype=np.float64)
    header = {"format": FORMAT, "parts": parts, "codes": codes,
              "code_roles": code_roles, "thresholds": {c: float(thresholds[c]) for c in thresholds}}
    arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # named arrays; numpy's stub reads them as allow_pickle
    return buffer.getvalue()


def model_from_bytes(payload: bytes, *, label: str) -> tuple[Any, dict, dict, dict]:
    """``(vectorizer, classifiers, code_roles, thresholds)`` rebuilt from plain data.

    ``label`` names the row in messages (``model 3 (trained from ana)``).
    """
    payload = bytes(payload)
    if payload[:1] == PICKLE_MAGIC or not payload.startswith(NPZ_MAGIC):
        raise ModelFormatError(
            f"The stored {label} is in the old pickled format, which qualcode no longer loads "
            "(unpickling can run code); retrain it with 'qualcode suggest train --from CODER'"
        )
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ModelFormatError(f"The stored {label} is {len(payload):,} bytes; at most {MAX_PAYLOAD_BYTES:,}")
    try:
        header, arrays = _read_npz(payload)
        return _rebuild(header, arrays)
    except ModelFormatError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OSError, zipfile.BadZipFile, json.JSONDecodeError,
            UnicodeDecodeError, AttributeError) as error:
        raise ModelFormatError(
            f"The stored {label} is damaged ({type(error).__name__}); retrain it with "
            "'qualcode suggest train --from CODER'"
        ) from None


def _read_npz(payload: bytes) -> tuple[dict, dict]:
    import numpy as np

    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("unknown format")
    return header, arrays


def _rebuild(header: dict, arrays: dict) -> tuple[Any, dict, dict, dict]:
    import numpy as np
    from sklearn.pipeline import FeatureUnion

    parts = header["parts"]
    if not isinstance(parts, list) or not parts:
        raise ValueError("no vectorizer")
    union = FeatureUnion([(str(p["name"]), _vectorizer(p, arrays[f"idf_{i}"])) for i, p in enumerate(parts)])
    width = sum(len(p["vocabulary"]) for p in parts)
    codes = [str(c) for c in header["codes"]]
    coef, intercept = arrays["coef"], arrays["intercept"]
    if coef.dtype != np.float64 or coef.shape != (len(codes), width) or intercept.shape != (len(codes),):
        raise ValueError("coefficients do not match the vocabulary")
    classifiers = {code: _classifier(coef[row], intercept[row]) for row, code in enumerate(codes)}
    code_roles = {str(c): [str(r) for r in header["code_roles"][c]] for c in codes}
    thresholds = {str(c): float(header["thresholds"][c]) for c in codes if c in header["thresholds"]}
    return union, classifiers, code_roles, thresholds


def _vectorizer(part: dict, idf):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer, accents, ngrams = part["analyzer"], part["strip_accents"], part["ngram_range"]
    if analyzer not in ANALYZERS or accents not in ACCENTS or not _ngram_range(ngrams):
        raise ValueError("vectorizer settings outside what qualcode trains")
    terms = part["vocabulary"]
    if not all(isinstance(t, str) for t in terms) or len(set(terms)) != len(terms):
        raise ValueError("vocabulary")
    if idf.dtype != np.float64 or idf.shape != (len(terms),):
        raise ValueError("idf does not match the vocabulary")
    vectorizer = TfidfVectorizer(
        analyzer=analyzer, ngram_range=tuple(ngrams), strip_accents=accents,
        sublinear_tf=bool(part["sublinear_tf"]), vocabulary={t: i for i, t in enumerate(terms)},
    )
    vectorizer.idf_ = idf
    return vectorizer


def _ngram_range(value) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)
            and 1 <= value[0] <= value[1] <= 10)


def _classifier(coef, intercept):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression()
    classifier.classes_ = np.array([0, 1])
    classifier.coef_ = coef.reshape(1, -1).copy()
    classifier.intercept_ = np.array([float(intercept)])
    classifier.n_features_in_ = coef.shape[0]
    return classifier
