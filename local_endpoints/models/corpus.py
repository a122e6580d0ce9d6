"""The text generator's training text, data/generator_corpus.txt, read as passages: every paragraph is one
passage, filed under the latest `# topic:` line; other lines starting with "#" are comments."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Passage:
    """One paragraph of the corpus, with its lines joined by spaces."""

    topic: str
    text: str


def corpus_text() -> str:
    """The corpus file shipped with the package."""
    return resources.files("local_endpoints.models").joinpath("data/generator_corpus.txt").read_text("utf-8")


def read_passages(corpus: str) -> list[Passage]:
    """The passages of `corpus`, in order; text before the first `# topic:` line is in topic "general"."""
    passages: list[Passage] = []
    topic, lines = "general", []
    for line in [*corpus.splitlines(), ""]:
        if line.startswith("# topic:"):
            topic = line.split(":", 1)[1].strip()
        elif line.startswith("#"):
            continue
        elif line.strip():
            lines.append(line.strip())
        elif lines:
            passages.append(Passage(topic, " ".join(lines)))
            lines = []
    return passages
