"""A sample request for an endpoint: what it most likely takes, told from what SageMaker says about it. Pure,
except that the bundled sample files (assets/samples) are read from disk.

In order: the task its containers' environment names (HF_TASK) or its name suggests (an image model gets a
PNG, an audio model a WAV, text-to-audio and embeddings their JSON); then a generator in the request format
its container speaks (services.chat_formats.detect: Messages API, TGI, LMI, or LMI's older batch shape);
then what the image, or a language model's name, suggests (chat, generation as TGI's `inputs`, which LMI
and most custom servers take too, tabular CSV); else a classifier's JSON. The guess only fills
the form: the user can change everything before sending.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from services.chat_formats import ChatFormat, Container, detect
from services.endpoints import EndpointDetails

FALLBACK_BODY = {"features": ["This is great!"]}
SAMPLE_FILES = Path(__file__).resolve().parents[1] / "assets" / "samples"
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
_EMBEDDING_MARKERS = ("tei", "text-embeddings-inference")
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
# Hugging Face task names (HF_TASK), and words in an endpoint's name, that say what a model takes.
_IMAGE_TASKS = (
    "image-classification",
    "object-detection",
    "image-segmentation",
    "zero-shot-image-classification",
    "image-to-text",
    "depth-estimation",
)
_AUDIO_TASKS = ("automatic-speech-recognition", "audio-classification")
_TEXT_TO_AUDIO_TASKS = ("text-to-audio", "text-to-speech")
_EMBEDDING_TASKS = ("feature-extraction", "sentence-similarity")
_GENERATION_TASKS = ("text-generation", "text2text-generation", "conversational")
# Words in an endpoint's name or its model id that say "a language model" (a generation request it is).
_LLM_WORDS = ("llm", "llama", "mistral", "mixtral", "gpt", "falcon", "qwen", "gemma", "phi-", "generator")


@dataclass(frozen=True)
class Sample:
    """A sample body and its content type; `file_name` set: a bundled file, sent as a file."""

    body: bytes
    content_type: str
    file_name: str = ""


def sample_request(
    details: EndpointDetails, component: str | None = None, containers: Sequence[Container] = ()
) -> Sample:
    """The sample for a first request to this endpoint, or to one of its components. `containers`: what
    DescribeModel (or the component) says about its containers, when known."""
    images = _images(details, component)
    kind = _task(details.name, component, containers)
    if kind == "image":
        return _file("sample.png", "image/png")
    if kind == "text-to-audio":
        return _json({"inputs": "Hello from SageMaker", "parameters": {"tempo_bpm": 160}})
    if kind == "audio":
        return _file("sample.wav", "audio/wav")
    if kind == "embedding" or _any(images, _EMBEDDING_MARKERS):
        return _json({"inputs": ["What is Amazon SageMaker?", "How do I deploy a model to an endpoint?"]})
    told = detect(containers).format if containers else None
    if told is not None:
        return _generation(told)
    if _any(images, _CHAT_MARKERS):
        return _generation(ChatFormat.MESSAGES)
    if _any(images, _GENERATION_MARKERS) or kind == "generation":
        return _generation(ChatFormat.TGI)
    if _any(images, _CSV_MARKERS):
        return Sample(b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n", "text/csv")
    return fallback()


def fallback() -> Sample:
    """The sample when nothing is known of the endpoint (none picked, or it could not be described)."""
    return _json(FALLBACK_BODY)


def _task(name: str, component: str | None, containers: Sequence[Container]) -> str | None:
    tasks = {c.environment.get("HF_TASK", "").strip().lower() for c in containers}
    words = f"{name} {component or ''}".lower()
    model_ids = " ".join(c.environment.get("HF_MODEL_ID", "") for c in containers).lower()

    def says(task_names: tuple[str, ...], name_words: tuple[str, ...]) -> bool:
        return bool(tasks & set(task_names)) or any(word in words for word in name_words)

    if says(_TEXT_TO_AUDIO_TASKS, ("text-to-audio", "text-to-speech", "tts")):
        return "text-to-audio"
    if says(_IMAGE_TASKS, ("image", "vision")):
        return "image"
    if says(_AUDIO_TASKS, ("audio", "speech", "whisper")):
        return "audio"
    if says(_EMBEDDING_TASKS, ("embed",)):
        return "embedding"
    if says(_GENERATION_TASKS, _LLM_WORDS) or any(word in model_ids for word in _LLM_WORDS):
        return "generation"
    return None


def _generation(fmt: ChatFormat) -> Sample:
    """A generation request in the format the container speaks, asking to stream."""
    parameters = {"max_new_tokens": 128, "temperature": 0.7, "top_p": 0.9, "do_sample": True}
    if fmt is ChatFormat.MESSAGES:
        messages = [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": _PROMPT},
        ]
        return _json({"messages": messages, "max_tokens": 128, "temperature": 0.7, "stream": True})
    if fmt is ChatFormat.LMI_LEGACY:  # dynamic batching: a list of prompts, answered as JSON lines
        return _json({"inputs": [_PROMPT], "parameters": parameters})
    return _json({"inputs": _PROMPT, "parameters": parameters, "stream": True})


def _file(name: str, content_type: str) -> Sample:
    return Sample((SAMPLE_FILES / name).read_bytes(), content_type, name)


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


def _json(value: object) -> Sample:
    return Sample(json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8"), "application/json")
