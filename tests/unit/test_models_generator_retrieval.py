"""The parts of the demo text generator: BM25 retrieval over the corpus's passages, and the weighted trigram
mix an answer is generated from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from local_endpoints.models.corpus import Passage, corpus_text, read_passages
from local_endpoints.models.mixture import PassageMix, Sampling
from local_endpoints.models.retrieval import PassageIndex, stem, terms


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    return read_passages(corpus_text())


@pytest.fixture(scope="module")
def index(passages: list[Passage]) -> PassageIndex:
    return PassageIndex([(p.topic, p.text) for p in passages])


def test_words_are_stemmed_alike_and_stopwords_dropped() -> None:
    assert {stem(w) for w in ("stream", "streams", "streaming", "streamed")} == {"stream"}
    assert stem("image") == stem("images") and stem("latency") == stem("latencies")
    assert stem("class") == stem("classes") and stem("process") == stem("processing")
    assert terms("What is the image inspector? Tell me about it!") == ["imag", "inspector"]


@pytest.mark.parametrize(
    ("prompt", "topic", "opening"),
    [
        ("What is Amazon SageMaker?", "amazon sagemaker", "Amazon SageMaker is"),
        ("How do I stream tokens from an endpoint?", "streaming responses", "To stream tokens"),
        ("Tell me about the image inspector demo", "the image inspector demo", "The image inspector demo"),
        ("What is serverless inference?", "serverless inference", "Serverless inference"),
        ("How do I deploy a model?", "model deployment", "Deploying a model"),
        ("What is TGI?", "text generation inference tgi", "TGI"),
        ("Explain LMI and DJL", "large model inference lmi and djl", "LMI"),
        ("Tell me about gradient descent", "machine learning", "Gradient descent"),
        ("Write a haiku about the sea", "the sea", "Poets"),
        ("How do I bake bread?", "cooking", "Bread"),
    ],
)
def test_the_best_passage_is_the_one_about_the_prompt(
    index: PassageIndex, passages: list[Passage], prompt: str, topic: str, opening: str
) -> None:
    best = passages[index.rank(prompt)[0][0]]
    assert best.topic == topic and best.text.startswith(opening), best


def test_ranking_is_best_first_and_a_prompt_without_known_words_matches_nothing(index: PassageIndex) -> None:
    ranked = index.rank("How do inference components share an endpoint?")
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert index.rank("Quantum zebras") == [] and index.rank("") == []


def test_the_last_line_of_a_prompt_counts_most(index: PassageIndex, passages: list[Passage]) -> None:
    chat = "You are a helpful assistant that knows the sea.\nWhat is serverless inference?"
    assert passages[index.rank(chat)[0][0]].topic == "serverless inference"


def _sequence(*ids: int) -> np.ndarray:
    return np.array(ids, dtype=np.int64)


BOS, EOS = 1, 2


def test_a_mix_weights_its_passages_and_every_distribution_sums_to_one() -> None:
    # passage A (marker 20): "5 6 7 ." ; passage B (marker 21): "5 6 8 ." ; "." is 9
    first, second = _sequence(BOS, 20, 5, 6, 7, 9, EOS), _sequence(BOS, 21, 5, 6, 8, 9, EOS)
    mix = PassageMix([first, second], [1.0, 0.25], id_space=22)
    context = mix.context(5, 6)
    assert context is not None
    after = mix.probabilities(context)
    assert set(after) == {7, 8} and after[7] > 3 * after[8]  # A counts four times as much as B
    assert mix.openings == [mix.context(BOS, 20), mix.context(BOS, 21)]
    for k in range(len(mix.segment_ends)):
        assert math.isclose(sum(mix.probabilities(k).values()), 1.0)
    # every entry leads to a context the mix knows, except the end of a passage
    assert all((c == -1) == (t == EOS) for t, c in zip(mix.tokens, mix.next_context, strict=True))
    assert mix.context(7, 5) is None


def test_a_mix_allows_a_greedy_reading_three_tokens_as_often_as_its_passages_say_them() -> None:
    # "5 6 7 5 6 7 8 ." says (5, 6, 7) twice, (6, 7, 5) and (6, 7, 8) once
    mix = PassageMix([_sequence(BOS, 20, 5, 6, 7, 5, 6, 7, 8, 9, EOS)], [1.0], id_space=21)

    def allowed(previous: int, last: int) -> dict[int, int]:
        context = mix.context(previous, last)
        assert context is not None
        end = mix.segment_ends[context]
        return {mix.tokens[i]: mix.allowed[i] for i in range(end - len(mix.probabilities(context)), end)}

    assert allowed(5, 6) == {7: 2}
    assert allowed(6, 7) == {5: 1, 8: 1}


def test_greedy_sampling_tables_keep_one_token_per_context_and_others_more() -> None:
    mix = PassageMix([_sequence(BOS, 20, 5, 6, 7, 9, EOS), _sequence(BOS, 21, 5, 6, 8, 9, EOS)], [1, 1], 22)
    greedy, sampled = mix.table(Sampling(0)), mix.table(Sampling(1.0))
    assert greedy.single and not sampled.single
    assert all(e - s == 1 for s, e in zip(greedy.starts, greedy.ends, strict=True))
    assert mix.table(Sampling(0)) is greedy  # cached per setting


def test_a_templated_prompt_retrieves_as_its_question_does(index: PassageIndex) -> None:
    """The Chat page sends TGI and LMI a conversation through a chat template: its roles and markers are not
    what the question is about."""
    from services.chat_messages import Message
    from services.chat_templates import TEMPLATES

    question = "What is Amazon SageMaker?"
    messages = [Message("system", "You are a helpful assistant."), Message("user", question)]
    best = index.rank(question)[0][0]
    for template in TEMPLATES.values():
        assert index.rank(template.render(messages))[0][0] == best, template.key
