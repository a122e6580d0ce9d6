"""Finding the passages a prompt is about: Okapi BM25 over lightly stemmed words, as a search engine ranks
documents. A passage's first words, its opening sentence and its topic's name count extra, since a passage
that opens with a word is usually about it ("Serverless inference runs a model ...")."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

#: BM25's term-frequency saturation and length normalisation (the usual values)
K1, B = 1.2, 0.75
#: how many times the words of a passage's first sentence count (its other words count once) ...
OPENING_WEIGHT = 2
#: ... and its first two searchable words, its subject, this many times more
LEAD_WEIGHTS = (3, 1)
#: only the end of a long prompt is searched: in a chat it holds the newest message ...
PROMPT_TAIL_CHARS = 2000
#: ... and the words of its lines before the last count this much (a chat's system prompt, earlier turns)
EARLIER_LINES_WEIGHT = 0.05
_WORD = re.compile(r"[a-z0-9]+")
#: chat templates' turn markers (<|im_start|>, <|eot_id|>, [INST], </s>): read as line breaks, not words
_TEMPLATE_MARKER = re.compile(r"<\|[a-z_]+\|>|\[/?INST\]|</?s>")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
#: words that say nothing about a topic: function words, the words of asking ("tell me about ...") and of
#: saying how to answer ("... in two sentences"), and chat templates' role names and markers (a templated
#: prompt ends "Assistant:" or "<|im_start|>assistant": its question is the line before)
_STOPWORDS = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each either else ever every few for from
    further get gets give given go going got had has have having he her here hers him his how i if in into is
    it its itself just kind know let like lot made make many may me might mine more most much must my myself
    need no nor not now of off often on once one only or other our ours out over own please put quite rather
    really said same say see she should show so some something such take tell than that the their theirs them
    then there these they thing things this those through to too try under until up upon us use used using
    very want was way we well were what when where whether which while who whom whose why will with within
    without would write explain describe you your yours
    answer question brief briefly concise concisely simple simply detail detailed sentence sentences
    word words paragraph paragraphs two three four five ten
    assistant user system human
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def stem(word: str) -> str:
    """A light suffix-stripping stem, so "streams", "streaming" and "streamed" all read as "stream"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The searchable words of `text`: lower-cased, stemmed, without stopwords and single letters."""
    return [stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


class PassageIndex:
    """BM25 over a fixed list of passages, each given as (topic, text)."""

    def __init__(self, passages: Sequence[tuple[str, str]]) -> None:
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths: list[int] = []
        for number, (topic, text) in enumerate(passages):
            opening = terms(_SENTENCE_END.split(text, maxsplit=1)[0])
            lead = [word for word, weight in zip(opening, LEAD_WEIGHTS, strict=False) for _ in range(weight)]
            words = terms(text) + opening * (OPENING_WEIGHT - 1) + lead + terms(topic)
            lengths.append(len(words))
            for term, count in Counter(words).items():
                postings[term].append((number, count))
        average = sum(lengths) / max(len(lengths), 1)
        total = len(passages)
        #: term -> [(passage, BM25 weight of the term in that passage)]
        self._weights: dict[str, list[tuple[int, float]]] = {}
        for term, found in postings.items():
            idf = math.log(1 + (total - len(found) + 0.5) / (len(found) + 0.5))
            self._weights[term] = [
                (number, idf * count * (K1 + 1) / (count + K1 * (1 - B + B * lengths[number] / average)))
                for number, count in found
            ]

    def rank(self, prompt: str) -> list[tuple[int, float]]:
        """The passages sharing a word with the prompt, as (passage, score): best first, ties in corpus
        order. The words of the prompt's last line count fully, the others EARLIER_LINES_WEIGHT."""
        tail = _TEMPLATE_MARKER.sub("\n", prompt[-PROMPT_TAIL_CHARS:])
        lines = [line for line in tail.splitlines() if terms(line)]
        weights = dict.fromkeys(terms(" ".join(lines[:-1])), EARLIER_LINES_WEIGHT)
        weights.update(dict.fromkeys(terms(lines[-1]) if lines else (), 1.0))
        scores: dict[int, float] = defaultdict(float)
        # sorted: the same order of additions, so the same scores, in every process (str hashes are salted)
        for term, weight in sorted(weights.items()):
            for number, term_weight in self._weights.get(term, ()):
                scores[number] += weight * term_weight
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
