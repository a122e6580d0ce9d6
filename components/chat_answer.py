"""One assistant answer in the chat: its text as Markdown, and under it the figures a tester reads.

A running answer is a `LiveAnswer`, kept current by the page's follow loop (components.live_follow): its
text grows in place at most every 50 ms, its figures with it, and its end redraws both once.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import live_follow
from components.chat_markdown import safe_markdown
from components.result_card import STREAM_DEFINITIONS
from components.safe_text import escape_markdown
from services.chat_conversation import FINISH_WORDS, Turn, finish_reason, live_stats
from services.chat_formats import format_hint
from services.foreign_text import scrub
from services.invoker import RemoteInvocation
from services.results import Status

CURSOR = " ▍"


def figures_line(turn: Turn) -> str:
    """Time to first token, tokens/s, tokens, total time, finish reason: what is known so far."""
    stats, total = live_stats(turn)
    parts: list[str] = []
    if stats is not None:
        ttft = stats.time_to_first_token_ms
        parts.append(
            f"time to first token {ttft:,.0f} ms" if ttft is not None else "waiting for the first token"
        )
        rate = stats.tokens_per_second(total if total is not None else stats.last_token_ms)
        if rate is not None:
            parts.append(f"{rate:,.1f} tokens/s")
        parts.append(f"{stats.token_count:,} tokens")
    if total is not None:
        parts.append(f"total {total:,.0f} ms")
    reason = finish_reason(turn)
    if reason is not None:
        parts.append(f"finish: {escape_markdown(FINISH_WORDS.get(reason, reason))}")
    return " · ".join(parts)


def problem(turn: Turn) -> str | None:
    """What went wrong, in plain words, for a failed answer (its partial text is kept above it)."""
    result = turn.outcome
    if result is None or result.status is not Status.FAILED or result.error is None:
        return None
    error = result.error
    kept = " The text that arrived before it is kept above." if turn.answer else ""
    hint = format_hint(turn.request.body, error.message)
    return f"{error.message}{kept}" + (f" {hint}" if hint else "")


class AnswerSlots:
    """The places an answer is drawn in, fixed so that its end rewrites them in place."""

    def __init__(self, parent: DeltaGenerator) -> None:
        self.text = parent.empty()
        self.problem = parent.empty()
        self.figures = parent.empty()


def draw_answer(slots: AnswerSlots, turn: Turn, *, presenting: bool, cursor: bool = False) -> None:
    text = turn.answer
    waiting = turn.running or turn.refused_for_format  # a refusal that only told the format goes again
    if text:
        slots.text.markdown(safe_markdown(text) + (CURSOR if cursor else ""))
    elif waiting:
        slots.text.markdown("*Thinking…*" if presenting else "*Waiting for the first token…*")
    else:
        slots.text.empty()
    trouble = None if waiting else problem(turn)
    if trouble:
        slots.problem.warning(escape_markdown(scrub(trouble)), icon=":material/error:")
    elif turn.outcome is not None and turn.outcome.status is Status.STOPPED:
        slots.problem.caption("Stopped. The answer so far is kept.")
    else:
        slots.problem.empty()
    if presenting or (waiting and not turn.running):
        slots.figures.empty()
    else:
        definitions = STREAM_DEFINITIONS + "\nTotal: the execution length, as on a result card."
        slots.figures.caption(figures_line(turn), help=definitions)


class LiveAnswer:
    """A running answer, drawn as its tokens arrive (a live_follow.Followed view)."""

    def __init__(self, turn: Turn, slots: AnswerSlots, *, presenting: bool) -> None:
        assert turn.invocation is not None
        self.turn = turn
        self.slots = slots
        self.presenting = presenting
        self.finished = False
        self.drawn_version = -1
        self.drawn_at = 0.0
        self._text_shown = False
        self.draw()

    @property
    def invocation(self) -> RemoteInvocation:
        assert self.turn.invocation is not None
        return self.turn.invocation

    def due(self, now: float) -> bool:
        return live_follow.news_due(self, now, text_shown=self._text_shown)

    def draw(self) -> None:
        version = self.invocation.version  # read first: news during the drawing is drawn next time
        done = self.invocation.done
        draw_answer(self.slots, self.turn, presenting=self.presenting, cursor=not done)
        self._text_shown = self._text_shown or bool(self.turn.answer)
        self.finished = done
        self.drawn_version = version
        self.drawn_at = time.monotonic()


def stop_button(turn: Turn, key: str) -> None:
    invocation = turn.invocation
    if invocation is not None:
        st.button("Stop", key=key, icon=":material/stop_circle:", on_click=invocation.stop)
