"""A sample request body for an endpoint, guessed from its container images. Pure.

The guess only fills the editor: the user can change everything before sending.
"""

from __future__ import annotations

import json

from services.endpoints import EndpointDetails

FALLBACK_BODY = {"features": ["This is great!"]}
_PROMPT = "What is Amazon SageMaker? Answer in two sentences."

# Substrings of a lowercased image URI. Chat first: a chat image is usually a generation image too.
_CHAT_MARKERS = ("openai", "chat", "messages-api")
_GENERATION_MARKERS = (
    "tgi",
    "text-generation-inference",
    "djl-inference",
    "djl-lmi",
    "lmi",
    "vllm",
    "tensorrtllm",
    "tensorrt-llm",
    "trtllm",
)
_CSV_MARKERS = (
    "xgboost",
    "linear-learner",
    "sklearn",
    "scikit-learn",
    "knn",
    "factorization-machines",
    "randomcutforest",
    "kmeans",
    "lightgbm",
    "catboost",
)


def sample_request(details: EndpointDetails, component: str | None = None) -> tuple[str, str]:
    """(body text, content type) for a first request to this endpoint, or to one of its components."""
    images = _images(details, component)
    if _any(images, _CHAT_MARKERS):
        return _json(
            {
                "messages": [
                    {"role": "system", "content": "You are a concise assistant."},
                    {"role": "user", "content": _PROMPT},
                ],
                "max_tokens": 128,
                "temperature": 0.7,
                "stream": True,
            }
        )
    if _any(images, _GENERATION_MARKERS):
        return _json(
            {
                "inputs": _PROMPT,
                "parameters": {"max_new_tokens": 128, "temperature": 0.7, "top_p": 0.9, "do_sample": True},
                "stream": True,
            }
        )
    if _any(images, _CSV_MARKERS):
        return "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n", "text/csv"
    return _json(FALLBACK_BODY)


def _images(details: EndpointDetails, component: str | None) -> list[str]:
    if component:
        chosen = [c.image for c in details.inference_components if c.name == component and c.image]
        if chosen:
            return [image.lower() for image in chosen]
    return [image.lower() for image in details.images]


def _any(images: list[str], markers: tuple[str, ...]) -> bool:
    return any(marker in _repository_and_tag(image) for image in images for marker in markers)


def _repository_and_tag(image: str) -> str:
    # Only the last path segment (repository:tag) counts: a registry host or account must not match a marker.
    return image.rsplit("/", 1)[-1]


def _json(value: object) -> tuple[str, str]:
    return json.dumps(value, indent=2, ensure_ascii=False), "application/json"
