"""One answer's language model: word trigrams interpolated with bigrams, counted over a few weighted passages
(the ones retrieved for the prompt), and flattened so that a generation step is one random number and one
bisection.

Counting is vectorised with numpy (a few hundred tokens take well under a millisecond), and every context's
next-token distribution is stored sorted, most probable first, as one segment of flat arrays: context k owns
entries starts[k]:starts[k] + lengths[k]. A sampling setting's cumulative probabilities are computed once per
setting and kept."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: weight of the bigram distribution mixed into every trigram context: more means more novel, less fluent text
BIGRAM_WEIGHT = 0.1
#: how much more the first words of a passage count than its last (0.1: ten percent)
PRIMACY = 0.1
_CACHED_TABLES = 4


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
class Table:
    """Everything a generation step reads, for one sampling setting: context k may pick entries
    starts[k]:ends[k]; `cumulative` and `logprobs` cover every entry. `single` when every context keeps only
    its most probable token (greedy, top_k 1, a tiny top_p): then choosing needs no random number. The rest is
    the mix's own (see PassageMix), shared by all its tables."""

    starts: list[int]
    ends: list[int]
    cumulative: list[float]
    logprobs: list[float]
    single: bool
    tokens: list[int]
    next_context: list[int]
    segment_ends: list[int]
    allowed: list[int]


class PassageMix:
    """The trigram model of some passages, each counted `weight` times (its first words up to PRIMACY more,
    its last ones exactly `weight`). Each passage is a token-id array
    `[BOS, marker, tokens..., EOS]`, its marker an id of its own, so the context (BOS, marker) opens that
    passage. Ids are below `id_space`. Read-only once built, apart from the locked table cache."""

    def __init__(self, sequences: Sequence[np.ndarray], weights: Sequence[float], id_space: int) -> None:
        m = np.int64(id_space)
        first = np.concatenate([s[:-2] for s in sequences])
        middle = np.concatenate([s[1:-1] for s in sequences])
        last = np.concatenate([s[2:] for s in sequences])
        # an occurrence early in a passage counts a little more than a later one, so that where a passage
        # says the same two words twice, its most probable reading takes what follows them in order
        counted = np.concatenate(
            [
                w * (1 + PRIMACY * np.linspace(1, 0, len(s) - 2))
                for s, w in zip(sequences, weights, strict=True)
            ]
        )

        tri_keys, tri_of = np.unique((first * m + middle) * m + last, return_inverse=True)
        tri_counts = np.bincount(tri_of, weights=counted)
        context_keys, context_first = np.unique(tri_keys // m, return_index=True)
        context_totals = np.add.reduceat(tri_counts, context_first)
        bi_keys, bi_of = np.unique(middle * m + last, return_inverse=True)
        bi_counts = np.bincount(bi_of, weights=counted)
        previous_keys, previous_first = np.unique(bi_keys // m, return_index=True)
        previous_totals = np.add.reduceat(bi_counts, previous_first)
        previous_lengths = np.diff(np.append(previous_first, len(bi_keys)))

        # each context (a, b) may go on with any token seen after b: one entry per such token
        context_last = context_keys % m
        row = np.searchsorted(previous_keys, context_last)
        lengths = previous_lengths[row]
        starts = np.cumsum(lengths) - lengths
        owner = np.repeat(np.arange(len(context_keys)), lengths)
        bigram = np.repeat(previous_first[row] - starts, lengths) + np.arange(int(lengths.sum()))
        token = bi_keys[bigram] % m
        wanted = context_keys[owner] * m + token
        at = np.minimum(np.searchsorted(tri_keys, wanted), len(tri_keys) - 1)
        known = tri_keys[at] == wanted
        trigram_counts = np.where(known, tri_counts[at], 0.0)
        # how many times the passages say the three tokens (at least once: a bigram's guess may be said once)
        occurrences = np.maximum(np.where(known, np.bincount(tri_of)[at], 0), 1)
        trigram_p = trigram_counts / context_totals[owner]
        bigram_p = bi_counts[bigram] / previous_totals[row][owner]
        probability = (1 - BIGRAM_WEIGHT) * trigram_p + BIGRAM_WEIGHT * bigram_p
        order = np.lexsort((token, -probability, owner))  # most probable first; ties by token id
        token, probability, occurrences = token[order], probability[order], occurrences[order]
        # the context an entry leads to, (b, token); -1 after the end of a passage
        follow = context_last[owner] * m + token
        at = np.minimum(np.searchsorted(context_keys, follow), len(context_keys) - 1)
        leads_to = np.where(context_keys[at] == follow, at, -1)

        self._context_keys = context_keys
        self._id_space = m
        self._starts = starts
        self._lengths = lengths
        self._log_p = np.log(probability)
        self.tokens: list[int] = token.tolist()
        self.next_context: list[int] = leads_to.tolist()
        #: where each context's entries end (a decoding may fall back on its runners-up)
        self.segment_ends: list[int] = (starts + lengths).tolist()
        #: how many times a decoding may take each entry in one passage: as often as the passages say its
        #: three tokens, at least once (more, and it would be going round in a circle)
        self.allowed: list[int] = occurrences.tolist()
        #: the context that opens each passage, in the order the passages were given
        self.openings: list[int] = [self._find(int(s[0]), int(s[1])) for s in sequences]
        self._tables: dict[tuple[float, float, int], Table] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """The number of entries (context, next token) in the model."""
        return len(self.tokens)

    def _find(self, previous: int, last: int) -> int:
        context = self.context(previous, last)
        if context is None:
            raise ValueError(f"no context ({previous}, {last})")
        return context

    def context(self, previous: int, last: int) -> int | None:
        """The context of token ids `previous` then `last`, or None when the passages never have that pair."""
        key = np.int64(previous) * self._id_space + last
        at = int(np.searchsorted(self._context_keys, key))
        if at < len(self._context_keys) and self._context_keys[at] == key:
            return at
        return None

    def probabilities(self, context: int) -> dict[int, float]:
        """The next-token distribution of a context (before any temperature or truncation), by token id."""
        start = int(self._starts[context])
        entries = range(start, start + int(self._lengths[context]))
        return {self.tokens[i]: float(np.exp(self._log_p[i])) for i in entries}

    def table(self, sampling: Sampling) -> Table:
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

    def _make_table(self, temperature: float, top_p: float, top_k: int) -> Table:
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
        kept_counts = np.add.reduceat(keep.astype(np.int64), starts)
        return Table(
            starts=starts.tolist(),
            ends=(starts + kept_counts).tolist(),
            cumulative=cumulative.tolist(),
            logprobs=np.round(log_p, 4).tolist(),
            single=bool((kept_counts == 1).all()),
            tokens=self.tokens,
            next_context=self.next_context,
            segment_ends=self.segment_ends,
            allowed=self.allowed,
        )
