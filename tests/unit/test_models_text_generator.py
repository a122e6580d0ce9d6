"""The demo text generator is a real language model: seeded sampling is reproducible, greedy decoding takes
the most probable token, limits and stop sequences are honoured, and it is fast enough for the benchmark."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from local_endpoints.models import TextGenerator
from local_endpoints.models.ngram import NgramModel, Sampling


@pytest.fixture(scope="module")
def tgi() -> TextGenerator:
    return TextGenerator("tgi")


def _tokens(model: TextGenerator, prompt: str, **parameters: Any) -> list[dict[str, Any]]:
    """The generated tokens, from TGI's details."""
    body = json.dumps({"inputs": prompt, "parameters": {**parameters, "details": True}}).encode()
    [answer] = json.loads(model.invoke(body, "application/json", None).body)
    return answer["details"]["tokens"]


def _text(model: TextGenerator, prompt: str, **parameters: Any) -> str:
    return "".join(t["text"] for t in _tokens(model, prompt, **parameters) if not t["special"])


def test_same_seed_gives_the_same_text_and_other_seeds_differ(tgi: TextGenerator) -> None:
    first = _text(tgi, "Tell me about the sea", max_new_tokens=40, seed=123)
    assert first == _text(tgi, "Tell me about the sea", max_new_tokens=40, seed=123)
    others = {_text(tgi, "Tell me about the sea", max_new_tokens=40, seed=seed) for seed in range(5)}
    assert len(others) > 1


def test_max_new_tokens_is_respected_exactly_when_eos_is_ignored(tgi: TextGenerator) -> None:
    for limit in (1, 7, 250):
        assert len(_tokens(tgi, "The sea", max_new_tokens=limit, seed=9, ignore_eos_token=True)) == limit


def test_without_ignore_eos_the_answer_stops_at_eos_or_the_limit(tgi: TextGenerator) -> None:
    lengths = [len(_tokens(tgi, "hello", max_new_tokens=60, seed=seed)) for seed in range(30)]
    assert max(lengths) == 60
    assert min(lengths) < 60  # some answers end naturally at the end-of-sequence token


def test_temperature_zero_is_greedy_most_probable_token_every_step(tgi: TextGenerator) -> None:
    model = tgi.language_model
    tokens = [t["text"] for t in _tokens(tgi, "The sea", max_new_tokens=25, temperature=0, ignore_eos=True)]
    assert tokens == [
        t["text"] for t in _tokens(tgi, "The sea", max_new_tokens=25, temperature=0, seed=99, ignore_eos=True)
    ]
    _assert_most_probable_each_step(model, "The sea", ["The", " sea"], tokens)
    for question in ("What is Amazon SageMaker?", "Tell me about the image inspector demo"):
        tokens = [t["text"] for t in _tokens(tgi, question, max_new_tokens=200, temperature=0)]
        # the first two tokens open a passage (their context is the passage's start)
        _assert_most_probable_each_step(model, question, tokens[:2], tokens[2:])


def test_greedy_decoding_is_the_same_every_time_even_for_a_prompt_the_model_cannot_continue(
    tgi: TextGenerator,
) -> None:
    answers = {
        _text(tgi, "Quantum zebras", max_new_tokens=20, temperature=0, ignore_eos=True, **seed)
        for seed in [{}, {}, {}, {"seed": 1}, {"seed": 2}, {}, {}]
    }
    assert len(answers) == 1


def test_a_tiny_temperature_picks_among_the_most_probable_with_finite_logprobs(tgi: TextGenerator) -> None:
    tokens = _tokens(tgi, "The sea", max_new_tokens=25, temperature=1e-6, seed=7, ignore_eos=True)
    assert all(-1000 < t["logprob"] <= 0 for t in tokens)  # JSON has no -Infinity
    texts = [t["text"] for t in tokens]
    _assert_most_probable_each_step(tgi.language_model, "The sea", ["The", " sea"], texts)


def _assert_most_probable_each_step(
    model: NgramModel, prompt: str, before: list[str], tokens: list[str]
) -> None:
    """Each token is the most probable after the two before it, in the answer model for `prompt`, or a more
    probable one was passed over because it would repeat three tokens the answer already said (greedy
    decoding does not go round in circles)."""
    history = [*before, *tokens]
    passed_over = 0
    for position, token in enumerate(tokens):
        if token == "\n\n":  # a passage ended and a new one began (ignore_eos)
            break
        previous, last = history[position], history[position + 1]
        probabilities = model.next_token_probabilities(prompt, previous, last)
        if probabilities[token] == max(probabilities.values()):
            continue
        said = set(zip(history, history[1:], history[2 : position + 2], strict=False))
        better = [t for t, p in probabilities.items() if p > probabilities[token]]
        assert all((previous, last, t) in said for t in better), (position, token, better)
        passed_over += 1
    assert passed_over <= len(tokens) // 10, "greedy decoding mostly takes the most probable token"


def test_do_sample_false_and_a_tiny_top_p_also_decode_greedily(tgi: TextGenerator) -> None:
    greedy = _text(tgi, "The sea", max_new_tokens=30, temperature=0)
    assert _text(tgi, "The sea", max_new_tokens=30, do_sample=False, seed=5) == greedy
    assert _text(tgi, "The sea", max_new_tokens=30, top_p=0.01, seed=5) == greedy
    assert _text(tgi, "The sea", max_new_tokens=30, top_k=1, seed=6) == greedy


def test_greedy_answers_report_no_seed_and_sampled_ones_report_theirs(tgi: TextGenerator) -> None:
    body = {"inputs": "The sea", "parameters": {"max_new_tokens": 3, "details": True}}
    [greedy] = json.loads(
        tgi.invoke(
            json.dumps({**body, "parameters": {**body["parameters"], "temperature": 0}}).encode(),
            "application/json",
            None,
        ).body
    )
    assert greedy["details"]["seed"] is None
    [sampled] = json.loads(tgi.invoke(json.dumps(body).encode(), "application/json", None).body)
    assert isinstance(sampled["details"]["seed"], int)


def test_stop_sequence_ends_the_answer_after_the_token_that_completes_it(tgi: TextGenerator) -> None:
    body = {
        "inputs": "The sea",
        "parameters": {
            "max_new_tokens": 200,
            "seed": 4,
            "stop": [" the"],
            "ignore_eos_token": True,
            "details": True,
        },
    }
    [answer] = json.loads(tgi.invoke(json.dumps(body).encode(), "application/json", None).body)
    assert answer["details"]["finish_reason"] == "stop_sequence"
    assert answer["generated_text"].endswith(" the")
    assert answer["generated_text"].count(" the") == 1


def test_tokens_look_like_llm_tokens(tgi: TextGenerator) -> None:
    tokens = [t["text"] for t in _tokens(tgi, "The sea", max_new_tokens=300, seed=1, ignore_eos_token=True)]
    words = [t for t in tokens if re.fullmatch(r" \w[\w'’]*", t)]
    punctuation = [t for t in tokens if re.fullmatch(r"[^\w\s]", t)]
    assert len(words) > 0.7 * len(tokens) and punctuation
    assert all(t == "\n\n" or re.fullmatch(r" ?(\w[\w'’]*|[^\w\s])", t) for t in tokens), tokens


def test_continues_a_prompt_it_knows_and_answers_a_question_from_its_opening() -> None:
    model = NgramModel()
    continued = "".join(model.token_texts[t] for t, _, _ in model.generate("The moon", 3, Sampling(0)))
    assert continued.startswith(" changes its")  # "The moon changes its shape ..." in the training text
    # a question is answered, not continued, even when the model knows its last two words
    answered = "".join(
        model.token_texts[t] for t, _, _ in model.generate("Why does the moon", 3, Sampling(0))
    )
    assert answered.startswith("The moon")


def test_the_fail_marker_fails_after_a_few_tokens(tgi: TextGenerator) -> None:
    parts = list(
        tgi.stream(
            b'{"inputs": "!!model-error!!", "parameters": {"max_new_tokens": 4}}', "application/json", None
        ).parts
    )
    assert (
        len(parts) == 3 and b'"error_type":"generation"' in parts[-1]
    )  # max_new_tokens // 2 tokens, then the error


@pytest.mark.parametrize(
    ("prompt", "sampling"),
    [
        ("The sea", {}),
        ("What is Amazon SageMaker?", {"temperature": 0}),
        ("Tell me about TGI", {"top_p": 0.9}),
    ],
)
def test_streams_twenty_thousand_tokens_quickly(
    tgi: TextGenerator, prompt: str, sampling: dict[str, Any]
) -> None:
    parameters = {"max_new_tokens": 20000, "ignore_eos_token": True, **sampling}
    body = json.dumps({"inputs": prompt, "parameters": parameters, "stream": True}).encode()
    started = time.perf_counter()
    parts = sum(1 for _ in tgi.stream(body, "application/json", None).parts)
    elapsed = time.perf_counter() - started
    assert parts == 20000
    # About 0.03 s on a laptop. The bound only catches a generator gone quadratic (that takes minutes), with
    # room for a loaded two-core machine; the speed itself is measured in bench/.
    assert elapsed < 5.0, f"{parts / elapsed:,.0f} tokens/s"


def test_the_language_model_trains_in_well_under_two_seconds() -> None:
    started = time.perf_counter()
    NgramModel()
    assert time.perf_counter() - started < 2.0
