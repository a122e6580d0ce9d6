"""A small real language model that answers from what it retrieves: word trigrams interpolated with bigrams,
counted over the passages of data/generator_corpus.txt (several thousand words written for this project)
that are most like the prompt.

At start-up the corpus is split into passages, tokenized, and indexed for BM25 (retrieval.py). For a prompt,
the best-scoring passages (up to four) are counted into a small trigram model of their own
(mixture.PassageMix, under a millisecond, then cached): the passage being told counts fully and the others
at half their share of the best score, so the answer follows the best passage from its opening (or continues
the prompt, when the model knows its last two words) and strays into the other retrieved passages where they
share two words. With ignore_eos, the next retrieved passages are told in turn, each by a mix centred on it.
A prompt that shares no word with the corpus is answered from its first topic.

Tokens look like an LLM's: words carry their leading space (" sea"), punctuation stands alone (","), a
paragraph break is "\\n\\n", and the end-of-sequence token "</s>" ends a passage. Generation is fast enough to
stream tens of thousands of tokens a second in pure Python because every context's next-token distribution is
precomputed as a cumulative array (one per answer model and sampling setting, cached), so a step is one random
number and one bisection."""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from local_endpoints.models.corpus import Passage, corpus_text, read_passages
from local_endpoints.models.mixture import PassageMix, Sampling
from local_endpoints.models.retrieval import PassageIndex

__all__ = ["BOS", "EOS", "PARAGRAPH", "UNK", "Generation", "GenerationError", "NgramModel", "Sampling"]

UNK, BOS, EOS, PARAGRAPH = 0, 1, 2, 3
SPECIAL_TEXT = {UNK: "<unk>", BOS: "<s>", EOS: "</s>", PARAGRAPH: "\n\n"}
#: an answer is counted over at most this many retrieved passages ...
MAX_PASSAGES = 4
#: ... scoring at least this share of the best one's score ...
MIN_SHARE = 0.35
#: ... and at least this many: too few are filled up from the best passage's topic, at this weight
MIN_PASSAGES = 3
NEIGHBOUR_WEIGHT = 0.25
#: a passage whose first this-many characters are in the prompt was told already (in an earlier answer)
TOLD_CHARS = 60
#: the weight of the other retrieved passages, against the one being told
OTHERS_WEIGHT = 0.5
#: answer models kept for prompts seen again (a benchmark's repeated prompt, a retried request)
_CACHED_MIXES = 16
#: the prompt's last two tokens are read from this many characters at its end
_PROMPT_TAIL_CHARS = 1000
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
#: a prompt opening with one of these asks for an answer rather than a continuation
_ASKING_WORDS = """
    what how why who whom whose when where which can could should would will shall is are was were do does did
    has have tell write explain describe give list show compare summarize summarise define help please
"""
_ASKING = frozenset(_ASKING_WORDS.split())


class GenerationError(Exception):
    """Raised by a generation part-way through, after some tokens (the model failed mid-stream)."""


def split_words(text: str, first_has_space: bool = False) -> list[str]:
    """Token texts of `text`: a word or punctuation mark carries one leading space when whitespace preceded
    it."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        spaced = match.start() > 0 and text[match.start() - 1].isspace()
        if not tokens and not first_has_space:
            spaced = False
        tokens.append((" " if spaced else "") + match.group())
    return tokens


def asks(prompt: str) -> bool:
    """Whether the prompt is a question or an instruction (to answer) rather than text to continue."""
    stripped = prompt.rstrip()
    first = re.match(r"\W*(\w+)", stripped)
    return stripped.endswith("?") or (first is not None and first.group(1).lower() in _ASKING)


class NgramModel:
    """The trained model: the vocabulary, the passages as token ids and their search index. Thread-safe: all
    of it is read-only once built; the cache of answer models is locked."""

    def __init__(self, corpus: str | None = None) -> None:
        self.passages: list[Passage] = read_passages(corpus_text() if corpus is None else corpus)
        self.token_texts: list[str] = [SPECIAL_TEXT[i] for i in range(4)]
        self.token_ids: dict[str, int] = {text: i for i, text in enumerate(self.token_texts)}
        words = [[self._id(t) for t in split_words(p.text)] for p in self.passages]
        # a passage's marker (an id after the vocabulary's) makes (BOS, marker) the context that opens it
        vocabulary = len(self.token_texts)
        self._sequences = [
            np.array([BOS, vocabulary + number, *ids, EOS], dtype=np.int64)
            for number, ids in enumerate(words)
        ]
        self._id_space = vocabulary + len(self.passages)
        #: JSON-escaped token texts, so streaming formats never call json.dumps per token
        self.escaped_texts: list[str] = [json.dumps(t, ensure_ascii=False)[1:-1] for t in self.token_texts]
        self.index = PassageIndex([(p.topic, p.text) for p in self.passages])
        first_topic = self.passages[0].topic if self.passages else ""
        #: the passages a prompt that matches nothing is answered from
        self.fallback: list[int] = [n for n, p in enumerate(self.passages) if p.topic == first_topic]
        self._mixes: OrderedDict[tuple[tuple[int, float], ...], PassageMix] = OrderedDict()
        self._lock = threading.Lock()

    def _id(self, text: str) -> int:
        if text not in self.token_ids:
            self.token_ids[text] = len(self.token_texts)
            self.token_texts.append(text)
        return self.token_ids[text]

    # ------------------------------------------------------------------------------------- retrieval

    def retrieve(self, prompt: str, rng: random.Random) -> tuple[tuple[int, float], ...]:
        """The passages an answer to `prompt` is counted over, best first, as (passage, weight): a passage's
        BM25 score as a share of the best one's. `rng` picks among the fallback passages when the prompt
        matches none."""
        # A passage the conversation already holds (an earlier answer told it) goes last: "Tell me more"
        # moves on to the next one instead of saying the same again.
        ranked = sorted(self.index.rank(prompt), key=lambda item: self._told(item[0], prompt))
        if not ranked:
            start = rng.randrange(len(self.fallback))
            chosen = self.fallback[start:] + self.fallback[:start]
            return tuple((n, 1.0 if i == 0 else 0.5) for i, n in enumerate(chosen[:MAX_PASSAGES]))
        best = ranked[0][1]
        selected = [(n, round(s / best, 2)) for n, s in ranked[:MAX_PASSAGES] if s >= MIN_SHARE * best]
        topic = self.passages[ranked[0][0]].topic
        taken = {n for n, _ in selected}
        for n, passage in enumerate(self.passages):
            if len(selected) >= MIN_PASSAGES:
                break
            if passage.topic == topic and n not in taken:
                selected.append((n, NEIGHBOUR_WEIGHT))
        return tuple(selected)

    def _told(self, number: int, prompt: str) -> bool:
        """Whether `prompt` holds the passage's opening (its first TOLD_CHARS characters)."""
        return self.passages[number].text[:TOLD_CHARS] in prompt

    def passage_mix(self, selection: tuple[tuple[int, float], ...], focus: int) -> PassageMix:
        """The model for the part of an answer that tells passage `focus` of `selection`: that passage counts
        once and opens the mix, the others count OTHERS_WEIGHT times their weight (so the text follows the
        passage it started from, and strays into the others where they share two words). Built once, then
        cached for a while."""
        key = (
            (selection[focus][0], 1.0),
            *((n, round(w * OTHERS_WEIGHT, 3)) for i, (n, w) in enumerate(selection) if i != focus),
        )
        with self._lock:
            cached = self._mixes.get(key)
            if cached is not None:
                self._mixes.move_to_end(key)
                return cached
        built = PassageMix([self._sequences[n] for n, _ in key], [w for _, w in key], self._id_space)
        with self._lock:
            self._mixes[key] = built
            if len(self._mixes) > _CACHED_MIXES:
                self._mixes.popitem(last=False)
        return built

    def answer_model(self, prompt: str) -> PassageMix:
        """The model a greedy answer to `prompt` starts with."""
        return self.passage_mix(self.retrieve(prompt, random.Random(prompt)), 0)

    # ------------------------------------------------------------------------------------- prompting

    def next_token_probabilities(self, prompt: str, previous: str, last: str) -> dict[str, float]:
        """The distribution over the token after the token texts `previous` and `last` in a greedy answer to
        `prompt` (before any temperature or truncation); empty when that answer's model never saw the pair."""
        mix = self.answer_model(prompt)
        ids = self.token_ids
        context = mix.context(ids.get(previous, -1), ids.get(last, -1))
        if context is None:
            return {}
        return {self.token_texts[token]: p for token, p in mix.probabilities(context).items()}

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` is, as the model reads it (unknown words count as one token each)."""
        return len(split_words(text))

    def prompt_context(self, mix: PassageMix, prompt: str) -> int | None:
        """The context continuing the prompt's last two tokens, when `mix` knows them."""
        tail = split_words(prompt[-_PROMPT_TAIL_CHARS:])
        words = tail[-2:] if len(tail) > 2 or len(prompt) <= _PROMPT_TAIL_CHARS else []  # not a cut word
        if len(words) < 2 or not all(w in self.token_ids for w in words):
            return None
        return mix.context(self.token_ids[words[0]], self.token_ids[words[1]])

    # ------------------------------------------------------------------------------------ generation

    def generate(
        self,
        prompt: str,
        max_new_tokens: int,
        sampling: Sampling,
        seed: int | None = None,
        stop: tuple[str, ...] = (),
        ignore_eos: bool = False,
        continue_prompt: bool = True,
        fail_after: int | None = None,
    ) -> Generation:
        """A generation to iterate: see Generation."""
        return Generation(
            self, prompt, max_new_tokens, sampling, seed, stop, ignore_eos, continue_prompt, fail_after
        )


class Generation:
    """One generation. Iterate it for `(token_id, logprob, finish_reason)` steps; finish_reason is None except
    on the last step: "length" (max_new_tokens reached), "stop_sequence" (the text now contains a stop
    sequence; the token that completed it is included, as TGI does) or "eos_token" (the step is the EOS token
    itself). With `fail_after` set, raises GenerationError after that many steps. `seed` is the seed actually
    used.

    It starts by continuing the prompt when `continue_prompt`, the prompt is not a question or instruction and
    the answer model knows its last two words, otherwise at the opening of the best retrieved passage. With
    `ignore_eos`, an end of passage becomes a paragraph break and the next retrieved passage opens.

    Within a passage, no three tokens in a row are said more often than the retrieved passages say them (at
    least once): where the chosen token would, the most probable one that would not takes its place (greedy
    may pass over any token for it, sampling only those its top_k and top_p keep). Greedy decoding would
    otherwise go round in a circle for good, and sampling often for a while ("image/png or image/png or ...");
    Hugging Face's `no_repeat_ngram_size=3` is the same idea."""

    def __init__(
        self,
        model: NgramModel,
        prompt: str,
        max_new_tokens: int,
        sampling: Sampling,
        seed: int | None,
        stop: tuple[str, ...],
        ignore_eos: bool,
        continue_prompt: bool,
        fail_after: int | None,
    ) -> None:
        self.model = model
        self.greedy = sampling.temperature == 0
        self.seed = seed if seed is not None else secrets.randbits(63)
        self._rng = random.Random(self.seed)
        # Greedy decoding is deterministic, as in a real LLM: the one random choice left (which passage to
        # start from when the prompt matches none) then follows the prompt, not the seed.
        self._selection = model.retrieve(prompt, random.Random(prompt) if self.greedy else self._rng)
        self._sampling = sampling
        self.mix = model.passage_mix(self._selection, 0)
        continued = model.prompt_context(self.mix, prompt) if continue_prompt and not asks(prompt) else None
        self._start = self.mix.openings[0] if continued is None else continued
        #: the retrieved passage to tell after this one (with ignore_eos)
        self._next_passage = 1 if continued is None else 0
        self._max = max_new_tokens
        self._stop = stop
        self._ignore_eos = ignore_eos
        self._fail_after = fail_after

    def __iter__(self) -> Iterator[tuple[int, float, str | None]]:
        texts, rand, stops = self.model.token_texts, self._rng.random, self._stop
        t = self.mix.table(self._sampling)
        starts, ends, cumulative, logprobs = t.starts, t.ends, t.cumulative, t.logprobs
        tokens, next_context, segment_ends, allowed = t.tokens, t.next_context, t.segment_ends, t.allowed
        told = self._next_passage  # how many retrieved passages have opened so far
        longest_stop = max((len(s) for s in stops), default=0)
        tail = ""
        context = self._start
        said: dict[int, int] = {}  # how often this passage took each entry (context, token)
        limit = self._max if self._fail_after is None else min(self._max, self._fail_after)
        for produced in range(1, limit + 1):
            if t.single:
                index, end = starts[context], segment_ends[context]
            else:
                end = ends[context]
                index = bisect_right(cumulative, rand(), starts[context], end)
                if index >= end:  # rounding left the last cumulative value a hair under 1.0
                    index = end - 1
            if said.get(index, 0) >= allowed[index]:  # said as often as the passages say it: a runner-up
                for runner_up in range(starts[context], end):
                    if said.get(runner_up, 0) < allowed[runner_up]:
                        index = runner_up
                        break
            said[index] = said.get(index, 0) + 1
            token, logprob = tokens[index], logprobs[index]
            if token != EOS:
                context = next_context[index]
            elif not self._ignore_eos:
                yield EOS, logprob, "eos_token"
                return
            else:  # tell the next retrieved passage instead of ending
                mix = self.model.passage_mix(self._selection, told % len(self._selection))
                told += 1
                t = mix.table(self._sampling)
                starts, ends, cumulative, logprobs = t.starts, t.ends, t.cumulative, t.logprobs
                tokens, next_context, segment_ends, allowed = (
                    t.tokens,
                    t.next_context,
                    t.segment_ends,
                    t.allowed,
                )
                token, context, said = PARAGRAPH, mix.openings[0], {}
            finish = "length" if produced == self._max else None
            if stops:
                tail = (tail + texts[token])[-(longest_stop + 64) :]
                if any(s in tail for s in stops):
                    finish = "stop_sequence"
            yield token, logprob, finish
            if finish:
                return
        if self._fail_after is not None:
            raise GenerationError("the demo model was asked to fail (the prompt contains !!model-error!!)")
