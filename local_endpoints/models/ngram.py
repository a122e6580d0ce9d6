"""A small real language model: word-level trigrams interpolated with bigrams, trained at load time on
data/generator_corpus.txt (a few thousand words written for this project).

Tokens look like an LLM's: words carry their leading space (" sea"), punctuation stands alone (","), a
paragraph break is "\\n\\n", and the end-of-sequence token "</s>" ends a passage. Generation is fast enough to
stream tens of thousands of tokens a second in pure Python because every context's next-token distribution is
precomputed as a cumulative array (one per sampling setting, cached), so a step is one random number and one
bisection."""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

import numpy as np

UNK, BOS, EOS, PARAGRAPH = 0, 1, 2, 3
SPECIAL_TEXT = {UNK: "<unk>", BOS: "<s>", EOS: "</s>", PARAGRAPH: "\n\n"}
#: weight of the bigram distribution mixed into every trigram context: more means more novel, less fluent text
BIGRAM_WEIGHT = 0.1
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_TOPIC_WORD = re.compile(r"[a-z]{4,}")
_COMMON = frozenset(
    {
        "about",
        "after",
        "again",
        "also",
        "been",
        "before",
        "being",
        "could",
        "does",
        "each",
        "every",
        "from",
        "have",
        "into",
        "just",
        "like",
        "make",
        "many",
        "more",
        "most",
        "much",
        "only",
        "other",
        "over",
        "same",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "very",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "tell",
        "please",
        "write",
        "explain",
    }
)
_CACHED_TABLES = 16


class GenerationError(Exception):
    """Raised by a generation part-way through, after some tokens (the model failed mid-stream)."""


@dataclass(frozen=True)
class Sampling:
    """How the next token is chosen. temperature 0 means greedy (always the most likely token)."""

    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0

    def key(self) -> tuple[float, float, int]:
        if self.temperature == 0:
            return (1.0, 1.0, 1)  # greedy is top-1 of the untempered distribution
        return (self.temperature, self.top_p, self.top_k)


@dataclass
class _Table:
    """Next-token distributions for one sampling setting, flattened: context k owns starts[k]:ends[k]."""

    starts: list[int]
    ends: list[int]
    cumulative: list[float]
    logprobs: list[float]


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


class NgramModel:
    """The trained model. Thread-safe: tables are read-only once built; the per-setting cache is locked."""

    def __init__(self, corpus: str | None = None) -> None:
        if corpus is None:
            corpus = (
                resources.files("local_endpoints.models")
                .joinpath("data/generator_corpus.txt")
                .read_text("utf-8")
            )
        passages = _passages(corpus)
        self.topics: tuple[str, ...] = tuple(dict.fromkeys(topic for topic, _ in passages))
        self.token_texts: list[str] = [SPECIAL_TEXT[i] for i in range(4)]
        self.token_ids: dict[str, int] = {text: i for i, text in enumerate(self.token_texts)}
        # a passage's first contexts are (BOS, topic marker) and (topic marker, first word), so the topic
        # steers its opening words; markers are negative so they never collide with token ids
        sequences = [
            [BOS, _topic_marker(self.topics.index(topic)), *(self._id(t) for t in split_words(text)), EOS]
            for topic, text in passages
        ]
        #: JSON-escaped token texts, so streaming formats never call json.dumps per token
        self.escaped_texts: list[str] = [json.dumps(t, ensure_ascii=False)[1:-1] for t in self.token_texts]
        self._topic_words = _topic_word_shares(passages)
        self._build(sequences)
        self._tables: dict[tuple[float, float, int], _Table] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------------- training

    def _id(self, text: str) -> int:
        if text not in self.token_ids:
            self.token_ids[text] = len(self.token_texts)
            self.token_texts.append(text)
        return self.token_ids[text]

    def _build(self, sequences: list[list[int]]) -> None:
        trigrams: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
        bigrams: dict[int, Counter[int]] = defaultdict(Counter)
        for seq in sequences:
            for i in range(2, len(seq)):
                trigrams[(seq[i - 2], seq[i - 1])][seq[i]] += 1
                bigrams[seq[i - 1]][seq[i]] += 1
        self.contexts: dict[tuple[int, int], int] = {ctx: k for k, ctx in enumerate(trigrams)}
        tokens: list[int] = []
        probabilities: list[float] = []
        starts: list[int] = []
        for (_, previous), following in trigrams.items():
            starts.append(len(tokens))
            mixed = _interpolate(following, bigrams[previous])
            for token, p in sorted(mixed.items(), key=lambda item: (-item[1], item[0])):
                tokens.append(token)
                probabilities.append(p)
        self._tokens = tokens
        self._starts = np.array(starts)
        self._lengths = np.diff(np.append(self._starts, len(tokens)))
        self._log_p = np.log(np.array(probabilities))
        # the context a token leads to: (previous, token); -1 after the end of a passage
        prev_of_entry = np.repeat([ctx[1] for ctx in trigrams], self._lengths)
        self._next_context = [
            self.contexts.get((int(prev), token), -1)
            for prev, token in zip(prev_of_entry, tokens, strict=True)
        ]
        self._topic_starts = [self.contexts[(BOS, _topic_marker(i))] for i in range(len(self.topics))]

    # ------------------------------------------------------------------------------- sampling tables

    def table(self, sampling: Sampling) -> _Table:
        """The flattened distributions for a sampling setting (built once per setting, then cached)."""
        key = sampling.key()
        with self._lock:
            cached = self._tables.get(key)
        if cached is not None:
            return cached
        built = self._make_table(*key)
        with self._lock:
            if len(self._tables) >= _CACHED_TABLES:
                self._tables.pop(next(iter(self._tables)))
            self._tables[key] = built
        return built

    def _make_table(self, temperature: float, top_p: float, top_k: int) -> _Table:
        starts, lengths = self._starts, self._lengths
        logits = self._log_p / temperature
        logits -= np.repeat(logits[starts], lengths)  # each segment is sorted: its first entry is its maximum
        weights = np.exp(logits)
        weights /= np.repeat(np.add.reduceat(weights, starts), lengths)
        # reported log-probabilities: after temperature, before truncation; floored so a tiny temperature's
        # underflowed zeros stay finite numbers (JSON has no -Infinity)
        log_p = np.log(np.maximum(weights, 1e-300))
        position = np.arange(len(weights)) - np.repeat(starts, lengths)
        keep = np.ones(len(weights), dtype=bool)
        if top_k > 0:
            keep &= position < top_k
        if top_p < 1.0:
            before = np.cumsum(weights) - weights
            keep &= (before - np.repeat(before[starts], lengths)) < top_p
        kept = weights * keep
        running = np.cumsum(kept)
        offset = np.repeat(running[starts] - kept[starts], lengths)
        totals = np.repeat(np.add.reduceat(kept, starts), lengths)
        cumulative = (running - offset) / totals
        return _Table(
            starts=starts.tolist(),
            ends=(starts + np.add.reduceat(keep.astype(np.int64), starts)).tolist(),
            cumulative=cumulative.tolist(),
            logprobs=np.round(log_p, 4).tolist(),
        )

    # ------------------------------------------------------------------------------------- prompting

    def next_token_probabilities(self, previous: str, last: str) -> dict[str, float]:
        """The model's distribution over the token after the token texts `previous` and `last` (before any
        temperature or truncation); empty when the model never saw that pair."""
        ids = self.token_ids
        context = self.contexts.get((ids.get(previous, -99), ids.get(last, -99)))
        if context is None:
            return {}
        start = int(self._starts[context])
        entries = range(start, start + int(self._lengths[context]))
        return {self.token_texts[self._tokens[i]]: float(np.exp(self._log_p[i])) for i in entries}

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` is, as the model reads it (unknown words count as one token each)."""
        return len(split_words(text))

    def topic_for(self, prompt: str) -> int | None:
        """The topic whose words the prompt uses most, or None when it uses none of them."""
        scores = [0.0] * len(self.topics)
        for word in _TOPIC_WORD.findall(prompt.lower()):
            for topic, share in self._topic_words.get(word, {}).items():
                scores[topic] += share
        best = max(range(len(scores)), key=scores.__getitem__)
        return best if scores[best] > 0 else None

    def start_context(self, prompt: str, rng: random.Random, continue_prompt: bool) -> int:
        """Where generation starts: continuing the prompt's last two words when the model knows them (and
        `continue_prompt`), otherwise at the start of a passage on the prompt's topic (random if none)."""
        if continue_prompt:
            words = split_words(prompt)[-2:]
            if len(words) == 2 and all(w in self.token_ids for w in words):
                context = self.contexts.get((self.token_ids[words[0]], self.token_ids[words[1]]))
                if context is not None:
                    return context
        topic = self.topic_for(prompt)
        return self._topic_starts[topic if topic is not None else rng.randrange(len(self.topics))]

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
    used."""

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
        self._table = model.table(sampling)
        # Greedy decoding is deterministic, as in a real LLM: the one random choice left (where to start when
        # the model cannot continue the prompt's words) then follows the prompt, not the seed.
        start_rng = random.Random(prompt) if self.greedy else self._rng
        self._start = model.start_context(prompt, start_rng, continue_prompt)
        self._max = max_new_tokens
        self._stop = stop
        self._ignore_eos = ignore_eos
        self._fail_after = fail_after

    def __iter__(self) -> Iterator[tuple[int, float, str | None]]:
        table, model = self._table, self.model
        starts, ends, cumulative, logprobs = table.starts, table.ends, table.cumulative, table.logprobs
        tokens, next_context, texts = model._tokens, model._next_context, model.token_texts
        rand = self._rng.random
        stops = self._stop
        longest_stop = max((len(s) for s in stops), default=0)
        tail = ""
        context = self._start
        limit = self._max if self._fail_after is None else min(self._max, self._fail_after)
        for produced in range(1, limit + 1):
            end = ends[context]
            index = bisect_right(cumulative, rand(), starts[context], end)
            if index >= end:  # rounding left the last cumulative value a hair under 1.0
                index = end - 1
            token = tokens[index]
            if token == EOS:
                if not self._ignore_eos:
                    yield EOS, logprobs[index], "eos_token"
                    return
                token, context = PARAGRAPH, self._start  # start another passage instead of ending
            else:
                context = next_context[index]
            finish = "length" if produced == self._max else None
            if stops:
                tail = (tail + texts[token])[-(longest_stop + 64) :]
                if any(s in tail for s in stops):
                    finish = "stop_sequence"
            yield token, logprobs[index], finish
            if finish:
                return
        if self._fail_after is not None:
            raise GenerationError("the demo model was asked to fail (the prompt contains !!model-error!!)")


def _passages(corpus: str) -> list[tuple[str, str]]:
    passages, topic, lines = [], "general", []
    for line in [*corpus.splitlines(), ""]:
        if line.startswith("# topic:"):
            topic = line.split(":", 1)[1].strip()
        elif line.startswith("#"):
            continue
        elif line.strip():
            lines.append(line.strip())
        elif lines:
            passages.append((topic, " ".join(lines)))
            lines = []
    return passages


def _topic_marker(topic_index: int) -> int:
    return -1 - topic_index


def _interpolate(trigram: Counter[int], bigram: Counter[int]) -> dict[int, float]:
    tri_total, bi_total = sum(trigram.values()), sum(bigram.values())
    return {
        token: (1 - BIGRAM_WEIGHT) * trigram.get(token, 0) / tri_total + BIGRAM_WEIGHT * count / bi_total
        for token, count in bigram.items()
    }


def _topic_word_shares(passages: list[tuple[str, str]]) -> dict[str, dict[int, float]]:
    topics = list(dict.fromkeys(topic for topic, _ in passages))
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for topic, text in passages:
        for word in _TOPIC_WORD.findall(text.lower()):
            if word not in _COMMON:
                counts[word][topics.index(topic)] += 1
    return {
        word: {t: c / sum(by_topic.values()) for t, c in by_topic.items()}
        for word, by_topic in counts.items()
    }
