"""Chat templates: a conversation as the one prompt string a container without a Messages API reads. Pure.

A model was trained on its own turn markers, so the template must be the model's. These are the four the
Chat page offers; each also names the stop sequence that ends an assistant turn (a container that does not
apply the template itself does not know where the answer ends).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.chat_messages import Message


@dataclass(frozen=True)
class ChatTemplate:
    key: str
    label: str
    render: Callable[[Sequence[Message]], str]
    stop: tuple[str, ...]


def _llama3(messages: Sequence[Message]) -> str:
    turns = "".join(
        f"<|start_header_id|>{m.role}<|end_header_id|>\n\n{m.content.strip()}<|eot_id|>" for m in messages
    )
    return f"<|begin_of_text|>{turns}<|start_header_id|>assistant<|end_header_id|>\n\n"


def _mistral(messages: Sequence[Message]) -> str:
    """Mistral Instruct has no system role: the system prompt opens the first user turn."""
    system = "\n\n".join(m.content.strip() for m in messages if m.role == "system")
    out = ["<s>"]
    first_user = True
    for message in messages:
        if message.role == "user":
            text = message.content.strip()
            if first_user and system:
                text = f"{system}\n\n{text}"
            first_user = False
            out.append(f"[INST] {text} [/INST]")
        elif message.role == "assistant":
            out.append(f" {message.content.strip()}</s>")
    return "".join(out)


def _chatml(messages: Sequence[Message]) -> str:
    turns = "".join(f"<|im_start|>{m.role}\n{m.content.strip()}<|im_end|>\n" for m in messages)
    return f"{turns}<|im_start|>assistant\n"


_PLAIN_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}


def _plain(messages: Sequence[Message]) -> str:
    turns = "".join(f"{_PLAIN_NAMES.get(m.role, m.role)}: {m.content.strip()}\n\n" for m in messages)
    return f"{turns}Assistant:"


TEMPLATES: dict[str, ChatTemplate] = {
    t.key: t
    for t in (
        ChatTemplate("llama3", "Llama 3", _llama3, ("<|eot_id|>",)),
        ChatTemplate("mistral", "Mistral", _mistral, ("</s>",)),
        ChatTemplate("chatml", "ChatML (Qwen, Phi-3)", _chatml, ("<|im_end|>",)),
        ChatTemplate("plain", "Plain (User: / Assistant:)", _plain, ("\nUser:",)),
    )
}
DEFAULT_TEMPLATE = "plain"


def template_for(model_id: str | None) -> str:
    """The template a model id suggests ("meta-llama/Meta-Llama-3-8B-Instruct" -> llama3); plain otherwise."""
    name = (model_id or "").lower()
    if "llama-3" in name or "llama3" in name:
        return "llama3"
    if "mistral" in name or "mixtral" in name:
        return "mistral"
    if "qwen" in name or "phi-3" in name or "chatml" in name:
        return "chatml"
    return DEFAULT_TEMPLATE
