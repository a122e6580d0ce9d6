"""The demo text generator answers on the prompt's topic in readable sentences: it answers from the passages
it retrieves for the prompt, greedy answers are the same in every process, and it never goes round in
circles."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local_endpoints.models import TextGenerator
from local_endpoints.models.corpus import corpus_text, read_passages
from local_endpoints.models.generation_request import FAIL_MARKER
from local_endpoints.models.ngram import PARAGRAPH, NgramModel, Sampling

ROOT = Path(__file__).resolve().parents[2]
COOKING_WORDS = {
    "kitchen", "onion", "butter", "soup", "recipe", "flour", "bread", "pasta", "salad", "garlic", "oven",
    "tomato", "basil", "vinegar", "cook", "cooking", "bake", "baking", "dough", "simmer", "knife", "rice",
}  # fmt: skip
QUESTIONS = (
    "What is Amazon SageMaker?",
    "How do I stream tokens from an endpoint?",
    "Tell me about the image inspector demo",
    "What is serverless inference?",
    "Explain inference components",
    "What is the difference between TGI and LMI?",
    "Which instance type should I choose?",
    "How does the CSV regressor work?",
    "Write a haiku about the sea",
    "hello",
)


@pytest.fixture(scope="module")
def tgi() -> TextGenerator:
    return TextGenerator("tgi")


def _answer(model: TextGenerator, prompt: str, **parameters: Any) -> dict[str, Any]:
    body = json.dumps(
        {"inputs": prompt, "parameters": {"max_new_tokens": 512, **parameters, "details": True}}
    )
    [answer] = json.loads(model.invoke(body.encode(), "application/json", None).body)
    return dict(answer)


def _greedy(model: TextGenerator, prompt: str, **parameters: Any) -> str:
    return str(_answer(model, prompt, temperature=0, **parameters)["generated_text"])


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_what_is_sagemaker_is_answered_about_sagemaker_and_never_about_cooking(tgi: TextGenerator) -> None:
    text = _greedy(tgi, "What is Amazon SageMaker?")
    assert "SageMaker" in text
    assert {"endpoint", "model", "inference", "models", "deploying"} & _words(text)
    assert not COOKING_WORDS & _words(text), text
    for seed in range(20):  # sampled answers stay on the topic too
        sampled = str(_answer(tgi, "What is Amazon SageMaker?", seed=seed)["generated_text"])
        assert not COOKING_WORDS & _words(sampled), sampled


def test_a_greedy_answer_is_made_of_the_words_of_the_passages_on_its_topic(tgi: TextGenerator) -> None:
    on_topic = _words(" ".join(p.text for p in read_passages(corpus_text()) if p.topic == "amazon sagemaker"))
    words = [
        w for w in re.findall(r"[a-z]+", _greedy(tgi, "What is Amazon SageMaker?").lower()) if len(w) > 3
    ]
    assert sum(w in on_topic for w in words) >= 0.9 * len(words)


def test_each_question_is_answered_from_the_passages_about_it(tgi: TextGenerator) -> None:
    streaming = _greedy(tgi, "How do I stream tokens from an endpoint?")
    assert "InvokeEndpointWithResponseStream" in streaming and "token" in streaming
    images = _greedy(tgi, "Tell me about the image inspector demo")
    assert {"image", "picture", "pixels"} <= _words(images) and "PNG" in images
    assert not {"sentiment", "house", "houses"} & _words(images)
    assert "serverless" in _greedy(tgi, "What is serverless inference?").lower()
    assert "house" in _words(_greedy(tgi, "How does the CSV regressor work?"))
    assert "sea" in _words(_greedy(tgi, "Write a haiku about the sea"))  # off-topic: the general corpus
    assert "flour" in _words(_greedy(tgi, "How do I bake bread?"))


def test_a_chat_question_is_answered_on_its_topic(tgi: TextGenerator) -> None:
    body = {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "How do I stream tokens from an endpoint?"},
        ],
        "max_tokens": 200,
        "temperature": 0,
    }
    answer = json.loads(tgi.invoke(json.dumps(body).encode(), "application/json", None).body)
    assert "InvokeEndpointWithResponseStream" in answer["choices"][0]["message"]["content"]


def test_a_prompt_sharing_no_word_with_the_corpus_is_answered_from_its_first_topic(
    tgi: TextGenerator,
) -> None:
    passages = read_passages(corpus_text())
    openings = [p.text.split(". ")[0] for p in passages if p.topic == passages[0].topic]
    for prompt in ("Quantum zebras", "xyzzy plugh", "!!!"):
        text = _greedy(tgi, prompt)
        assert any(text.startswith(opening) for opening in openings), text


@pytest.mark.parametrize("prompt", QUESTIONS)
def test_an_answer_reads_as_sentences_from_a_capital_to_a_full_stop(tgi: TextGenerator, prompt: str) -> None:
    for parameters in [{"temperature": 0}, *({"seed": seed} for seed in range(8))]:
        answer = _answer(tgi, prompt, **parameters)
        text = answer["generated_text"]
        assert text[:1].isupper(), (parameters, text)
        if answer["details"]["finish_reason"] == "eos_token":
            assert text.endswith("."), (parameters, text)
    assert _answer(tgi, prompt, temperature=0)["details"]["finish_reason"] == "eos_token"


def test_greedy_answers_are_the_same_in_every_process() -> None:
    script = (
        "import json; from local_endpoints.models.ngram import NgramModel, Sampling; m = NgramModel(); "
        "print(json.dumps([[t for t, _, _ in m.generate(p, 300, Sampling(0), ignore_eos=True)] "
        f"for p in {list(QUESTIONS)!r}]))"
    )
    answers = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for seed in ("1", "2")
    ]
    assert answers[0] == answers[1]
    model = NgramModel()
    here = [[t for t, _, _ in model.generate(p, 300, Sampling(0), ignore_eos=True)] for p in QUESTIONS]
    assert json.loads(answers[0]) == here


def test_a_seed_reproduces_a_sampled_answer_and_other_seeds_differ() -> None:
    model = NgramModel()

    def sampled(seed: int) -> list[int]:
        return [t for t, _, _ in model.generate("How do I stream tokens?", 200, Sampling(0.9), seed=seed)]

    assert (
        sampled(7)
        == sampled(7)
        == [t for t, _, _ in NgramModel().generate("How do I stream tokens?", 200, Sampling(0.9), seed=7)]
    )
    assert len({tuple(sampled(seed)) for seed in range(6)}) > 1


@pytest.mark.parametrize("prompt", ["What is Amazon SageMaker?", "the sea is grey and", "hello"])
def test_a_long_greedy_answer_tells_passage_after_passage_without_going_round_in_circles(prompt: str) -> None:
    model = NgramModel()
    tokens = [t for t, _, _ in model.generate(prompt, 5000, Sampling(0), ignore_eos=True)]
    paragraphs: list[list[int]] = [[]]
    for token in tokens:
        if token == PARAGRAPH:
            paragraphs.append([])
        else:
            paragraphs[-1].append(token)
    assert max(len(p) for p in paragraphs) < 300  # a circle would never reach the end of its passage
    assert len({tuple(p) for p in paragraphs[:-1]}) >= 3  # it moves on to the other retrieved passages


def test_the_corpus_is_plain_prose_about_the_project_in_passages_that_end_a_sentence() -> None:
    passages = read_passages(corpus_text())
    assert all(p.text.endswith(".") for p in passages)
    assert not any(FAIL_MARKER in p.text for p in passages)  # a chat repeating an answer must not fail
    topics = {p.topic for p in passages}
    for topic in (
        "amazon sagemaker",
        "streaming responses",
        "inference components",
        "the image inspector demo",
    ):
        assert topic in topics
    project = [p for p in passages if p.topic not in {"the sea", "cooking", "gardening", "the night sky"}]
    assert sum(len(p.text.split()) for p in project) > 4000


def _chat(generator: TextGenerator, messages: list[dict[str, str]]) -> str:
    body = {"messages": messages, "max_tokens": 60, "temperature": 0}
    return str(
        json.loads(generator.invoke(json.dumps(body).encode(), "application/json", None).body)["choices"][0][
            "message"
        ]["content"]
    )


def test_a_follow_up_answers_the_newest_question_and_never_repeats_an_answer():
    generator = TextGenerator("tgi")
    messages = [{"role": "system", "content": "Answer clearly."}]
    answers = []
    for question in (
        "What is Amazon SageMaker?",
        "Tell me more.",
        "How do I stream tokens from an endpoint?",
    ):
        messages.append({"role": "user", "content": question})
        answers.append(_chat(generator, messages))
        messages.append({"role": "assistant", "content": answers[-1]})
    assert "SageMaker" in answers[0]
    assert answers[1][:60] != answers[0][:60]  # "more" is something not said yet
    assert "InvokeEndpointWithResponseStream" in answers[2]  # the newest question, not the first one's topic
