"""A real sentiment classifier: multinomial Naive Bayes over words and word pairs, trained with numpy at load
time on the labelled sentences in data/sentiment.tsv (about 250 written for this project)."""

from __future__ import annotations

import itertools
import re
from importlib import resources
from typing import Any

import numpy as np

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.payloads import (
    decode_utf8,
    json_bytes,
    media_type,
    negotiate,
    parse_json,
    whole_as_stream,
)

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")
_EXAMPLE = '{"features": ["This is great!"]}'
#: at most this many texts in one request, like a container's batch limit
MAX_TEXTS = 1000


def features(text: str) -> list[str]:
    """Lower-cased words and adjacent word pairs; "n't" reads as "not", so "isn't good" has "not good"."""
    words = _WORD.findall(text.lower().replace("’", "'").replace("n't", " not"))
    return words + [f"{first} {second}" for first, second in itertools.pairwise(words)]


class TextClassifier:
    """Sentiment of short English texts: negative, neutral or positive, with a probability for each.

    Request (application/json): `{"features": ["This is great!"]}` as in SageMaker's documentation, or
    `{"inputs": "..." | [...]}`, `{"instances": [...]}`, a bare string or list of strings; text/plain is one
    text. Response: `{"predictions": [{"label": "positive", "score": 0.97, "scores": {...}}]}`, one per text.
    """

    accepts = ("application/json", "text/plain")
    image = (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04"
    )

    def __init__(self, smoothing: float = 1.0) -> None:
        labels, texts = _read_training_data()
        self.labels: tuple[str, ...] = tuple(sorted(set(labels)))
        self._vocabulary: dict[str, int] = {}
        rows = [[self._vocabulary.setdefault(f, len(self._vocabulary)) for f in features(t)] for t in texts]
        counts = np.zeros((len(self.labels), len(self._vocabulary)))
        priors = np.zeros(len(self.labels))
        for label, row in zip(labels, rows, strict=True):
            index = self.labels.index(label)
            priors[index] += 1
            np.add.at(counts[index], row, 1)
        self._log_prior = np.log(priors / priors.sum())
        smoothed = counts + smoothing
        self._log_likelihood = np.log(smoothed / smoothed.sum(axis=1, keepdims=True))

    def classify(self, texts: list[str]) -> list[dict[str, Any]]:
        """One prediction per text: the most probable label, its probability, and every label's."""
        predictions = []
        for text in texts:
            known = [self._vocabulary[f] for f in features(text) if f in self._vocabulary]
            log_joint = self._log_prior + self._log_likelihood[:, known].sum(axis=1)
            probabilities = np.exp(log_joint - log_joint.max())
            probabilities /= probabilities.sum()
            best = int(probabilities.argmax())
            predictions.append(
                {
                    "label": self.labels[best],
                    "score": round(float(probabilities[best]), 4),
                    "scores": {
                        label: round(float(p), 4) for label, p in zip(self.labels, probabilities, strict=True)
                    },
                }
            )
        return predictions

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Classify every text in the request. Raises ModelInputError(400) for unusable input."""
        negotiate(accept, ("application/json",))
        texts = read_texts(body, content_type)
        return ModelResponse(json_bytes({"predictions": self.classify(texts)}), "application/json")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole answer as one part: a classifier has nothing to stream."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def read_texts(body: bytes, content_type: str) -> list[str]:
    """The texts a request asks to classify, or a ModelInputError(400) saying what is wrong and what would
    work."""
    if media_type(content_type) == "text/plain":
        text = decode_utf8(body).strip()
        if not text:
            raise ModelInputError(400, "The request body is empty: send the text to classify.")
        return [text]
    document = parse_json(body)
    if isinstance(document, dict):
        for key in ("features", "inputs", "instances", "text"):
            if key in document:
                return _texts_from(document[key], f'"{key}"')
        found = ", ".join(f'"{k}"' for k in list(document)[:5]) or "no keys"
        raise ModelInputError(
            400,
            f'Expected "features", "inputs" or "instances" with the texts to classify (found {found}), '
            f"e.g. {_EXAMPLE}.",
        )
    return _texts_from(document, "The request body")


def _texts_from(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ModelInputError(
            400, f"{where} must be a string or a list of strings, not {_json_type(value)}; e.g. {_EXAMPLE}."
        )
    texts: list[str] = []
    for position, item in enumerate(value, start=1):
        if isinstance(item, dict):  # {"instances": [{"features": [...]}, {"text": "..."}]}
            inner = next((item[k] for k in ("features", "inputs", "text") if k in item), None)
            texts.extend(_texts_from(inner, f"{where} item {position}"))
        elif isinstance(item, str):
            texts.append(item)
        else:
            raise ModelInputError(400, f"{where} must hold strings; item {position} is {_json_type(item)}.")
    if not texts:
        raise ModelInputError(400, f"No texts to classify: {where} is empty; e.g. {_EXAMPLE}.")
    if len(texts) > MAX_TEXTS:
        raise ModelInputError(400, f"Too many texts: {len(texts)} (at most {MAX_TEXTS} per request).")
    return texts


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "a list"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _read_training_data() -> tuple[list[str], list[str]]:
    text = resources.files("local_endpoints.models").joinpath("data/sentiment.tsv").read_text("utf-8")
    labels, texts = [], []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            label, sentence = line.split("\t", 1)
            labels.append(label)
            texts.append(sentence)
    return labels, texts
