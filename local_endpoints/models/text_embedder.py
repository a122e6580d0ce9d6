"""A real sentence embedder speaking Hugging Face Text Embeddings Inference (TEI): latent semantic analysis,
built with numpy at load time from the sentences of data/generator_corpus.txt.

Each text becomes TF-IDF weights over its stemmed words and, at a lower weight, their letter trigrams (so
"deploying" still shares something with "deploy" and with words the corpus never used); a truncated SVD of
the corpus sentences' weights projects that onto 64 directions of words that occur together. Texts about
the same things get a high cosine similarity, unrelated texts one near zero."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.corpus import corpus_text, read_passages
from local_endpoints.models.payloads import json_bytes, json_type, negotiate, parse_json, whole_as_stream
from local_endpoints.models.retrieval import terms

#: the embedding's length
DIMENSIONS = 64
#: TEI's default `--max-client-batch-size`: more texts in one request are refused with 413
MAX_BATCH = 32
#: TEI refuses a text of more tokens unless the request asks to truncate it
MAX_INPUT_TOKENS = 512
#: a letter trigram counts this much of a word: it says less about the topic
TRIGRAM_WEIGHT = 0.3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: what counts as a token: a word piece of at most 8 letters or digits, or a punctuation mark (about what a
#: word-piece tokenizer makes of English; a 6 MiB "word" is 800,000 tokens, not one)
_TOKEN = re.compile(r"\w{1,8}|[^\w\s]")
_EXAMPLE = '{"inputs": "What is Amazon SageMaker?"}'


def features(text: str) -> Counter[str]:
    """How often each feature occurs in `text`: stemmed words without stopwords, and each word's letter
    trigrams marked with "#" ("deploy" -> "#<de", "#dep", ..., "#oy>")."""
    counted: Counter[str] = Counter()
    for word in terms(text):
        counted[word] += 1
        padded = f"<{word}>"
        counted.update(f"#{padded[i : i + 3]}" for i in range(len(padded) - 2))
    return counted


class TextEmbedder:
    """Text in, one L2-normalised 64-dimensional vector per text out, as TEI answers.

    Request (application/json): `{"inputs": "text"}` or `{"inputs": ["a", "b"]}`, optionally `"normalize"`
    (default true), `"truncate"` (default false) and `"truncation_direction"` ("right" or "left"). Response:
    `[[0.01, ...], ...]`, one vector per input, in order. A text with nothing the corpus knows (only
    stopwords, or no letter trigram it has seen, as in another script) gets the zero vector."""

    accepts = ("application/json",)
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tei-cpu:2.0.1-tei1.2.3-cpu-py310-ubuntu22.04"

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        sentences = [
            sentence
            for passage in read_passages(corpus_text())
            for sentence in _SENTENCE_END.split(passage.text)
            if sentence.strip()
        ]
        self._vocabulary, self._idf, weights = _tf_idf(sentences)
        directions = _principal_directions(weights, dimensions)
        # A singular vector's sign is arbitrary: fix each so its largest loading is positive, so the vectors
        # do not depend on the linear-algebra library's choice.
        largest = np.abs(directions).argmax(axis=1)
        directions *= np.sign(directions[np.arange(len(directions)), largest])[:, None]
        #: features -> embedding: (vocabulary size, dimensions)
        self._projection = directions.T.copy()
        self.dimensions = int(self._projection.shape[1])

    def embed(self, texts: list[str], normalize: bool = True) -> np.ndarray:
        """One row per text: its TF-IDF weights projected, L2-normalised unless `normalize` is false."""
        weights = np.zeros((len(texts), len(self._vocabulary)))
        for row, text in enumerate(texts):
            for feature, count in features(text).items():
                column = self._vocabulary.get(feature)
                if column is not None:
                    weights[row, column] = 1 + math.log(count)
        vectors: np.ndarray = (weights * self._idf) @ self._projection
        if normalize:
            lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = np.divide(vectors, lengths, out=np.zeros_like(vectors), where=lengths > 0)
        return vectors

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Embed every input. Raises ModelInputError with TEI's statuses: 400 for a body that is not JSON or
        an empty input, 422 for a field of the wrong kind, 413 for too many or too long inputs."""
        negotiate(accept, ("application/json",))
        request = read_request(body)
        vectors = self.embed(request.texts, normalize=request.normalize)
        answer = [[round(float(value), 6) for value in row] for row in vectors]
        return ModelResponse(json_bytes(answer), "application/json")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole answer as one part: TEI does not stream."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def _tf_idf(sentences: list[str]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """The corpus's features (feature -> column), their IDF weights (trigrams' scaled by TRIGRAM_WEIGHT),
    and its sentences' L2-normalised TF-IDF rows (but a sentence of stopwords only, which says nothing)."""
    counts = [features(sentence) for sentence in sentences]
    vocabulary: dict[str, int] = {}
    for counted in counts:
        for feature in counted:
            vocabulary.setdefault(feature, len(vocabulary))
    weights = np.zeros((len(sentences), len(vocabulary)))
    for row, counted in enumerate(counts):
        for feature, count in counted.items():
            weights[row, vocabulary[feature]] = 1 + math.log(count)
    idf = np.log((1 + len(sentences)) / (1 + (weights > 0).sum(axis=0))) + 1
    idf *= [TRIGRAM_WEIGHT if feature.startswith("#") else 1.0 for feature in vocabulary]
    weights *= idf
    lengths = np.linalg.norm(weights, axis=1)
    return vocabulary, idf, weights[lengths > 0] / lengths[lengths > 0, None]


def _principal_directions(weights: np.ndarray, count: int) -> np.ndarray:
    """The top `count` right singular vectors of `weights` (count, features), from the eigenvectors of the
    small sentences x sentences Gram matrix: the same as a truncated SVD, a few times faster."""
    values, vectors = np.linalg.eigh(weights @ weights.T)
    top = np.argsort(values)[::-1][:count]
    top = top[values[top] > 1e-9 * values.max()]
    return (weights.T @ vectors[:, top] / np.sqrt(values[top])).T


@dataclass(frozen=True)
class EmbedRequest:
    """What a TEI `/embed` request asks for, validated."""

    texts: list[str]
    normalize: bool


def read_request(body: bytes) -> EmbedRequest:
    """The texts and options of a TEI request, or a ModelInputError saying what is wrong and what works."""
    document = parse_json(body)
    if not isinstance(document, dict):
        raise ModelInputError(
            422,
            f'The request body must be a JSON object with "inputs", not {json_type(document)}; '
            f"e.g. {_EXAMPLE}.",
        )
    if "inputs" not in document:
        found = ", ".join(f'"{k}"' for k in list(document)[:5]) or "no keys"
        raise ModelInputError(
            422, f'Expected "inputs" with the text to embed (found {found}); e.g. {_EXAMPLE}.'
        )
    normalize = _flag(document, "normalize", True)
    truncate = _flag(document, "truncate", False)
    direction = document.get("truncation_direction", "right")
    if not isinstance(direction, str) or direction.lower() not in ("right", "left"):
        raise ModelInputError(422, f'"truncation_direction" must be "right" or "left", not {direction!r}.')
    texts = _texts(document["inputs"])
    return EmbedRequest(
        [_within_limit(text, truncate, direction.lower() == "left") for text in texts], normalize
    )


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    elif not isinstance(value, list):
        raise ModelInputError(
            422, f'"inputs" must be a string or a list of strings, not {json_type(value)}; e.g. {_EXAMPLE}.'
        )
    if not value:
        raise ModelInputError(400, "`inputs` cannot be empty")
    if len(value) > MAX_BATCH:
        raise ModelInputError(413, f"batch size {len(value)} > maximum allowed batch size {MAX_BATCH}")
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise ModelInputError(
                422,
                f'"inputs" must hold strings; item {position} is {json_type(item)} '
                "(this demo reads text, not token ids).",
            )
        if not item:
            raise ModelInputError(400, f"`inputs` cannot be empty (item {position} is an empty string)")
    return value


def _within_limit(text: str, truncate: bool, from_left: bool) -> str:
    """The text, or when it has more than MAX_INPUT_TOKENS tokens and `truncate` asks, its first ones (its
    last ones when `from_left`); a ModelInputError(413) when it is too long and `truncate` does not ask."""
    count = sum(1 for _ in _TOKEN.finditer(text))
    if count <= MAX_INPUT_TOKENS:
        return text
    if not truncate:
        raise ModelInputError(
            413,
            f"Input validation error: `inputs` must have less than {MAX_INPUT_TOKENS} tokens. "
            f'Given: {count}. Send "truncate": true to embed only the first {MAX_INPUT_TOKENS}.',
        )
    tokens = _TOKEN.finditer(text)
    if from_left:
        return text[next(itertools.islice(tokens, count - MAX_INPUT_TOKENS, None)).start() :]
    return text[: next(itertools.islice(tokens, MAX_INPUT_TOKENS - 1, None)).end()]


def _flag(document: dict[str, Any], key: str, default: bool) -> bool:
    value = document.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ModelInputError(422, f'"{key}" must be true or false, not {json_type(value)}.')
    return value
