"""The LLM prompts: package data files in ``qa/prompts/`` filled in with sources and history.

Sources are fenced as ``<source id="n" title="..." date="...">text</source>`` (with
``columns="| Pos | Team | Pts |"`` when they are table rows without their header row) and the system
prompt declares them data, not instructions. A document cannot close the fence early: any
``<source`` / ``</source`` in its text (or quotes and angle brackets in its title) is escaped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from importlib import resources
from string import Template

from qa.answer.base import ABSTAIN_TEXT
from qa.answer.verify import MARK
from qa.types import Hit

__all__ = ["answer_messages", "condense_messages", "fence", "load_prompt"]

MAX_HISTORY_TURNS = 4
MAX_HISTORY_ANSWER = 400  # characters of each earlier answer shown to the condenser
_TAG = re.compile(r"<(/?)(source\b)", re.IGNORECASE)


@functools.cache
def load_prompt(name: str) -> Template:
    """The template ``qa/prompts/<name>.txt`` (``$placeholders``)."""
    text = resources.files("qa").joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")
    return Template(text.strip("\n"))


def _attr(value: object) -> str:
    text = " ".join(str(value or "").split())
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def fence(number: int, hit: Hit) -> str:
    """One source block: the chunk's text with its title and date (and, for table rows whose
    header row it lacks, that row as ``columns``), fenced and escaped."""
    doc = hit.document
    date = doc.get("published") or doc.get("date") or ""
    text = _TAG.sub(lambda m: f"&lt;{m.group(1)}{m.group(2)}", hit.text.strip())
    # a passage of table rows whose header row is not in it names its columns
    header = hit.table_header.split("\n", 1)[0]
    return load_prompt("source").substitute(
        id=number,
        title=_attr(hit.title or doc.get("title") or hit.path),
        date=_attr(date),
        columns=f' columns="{_attr(header)}"' if header else "",
        text=text,
    )


def answer_messages(
    question: str, hits: Sequence[Hit], abstain: str = ABSTAIN_TEXT
) -> list[dict[str, str]]:
    """System and user messages asking ``question`` over ``hits`` (source n = hits[n-1])."""
    sources = "\n\n".join(fence(n, hit) for n, hit in enumerate(hits, start=1))
    return [
        {"role": "system", "content": load_prompt("answer_system").substitute(abstain=abstain)},
        {
            "role": "user",
            "content": load_prompt("answer_user").substitute(sources=sources, question=question),
        },
    ]


def condense_messages(history: Sequence[tuple[str, str]], question: str) -> list[dict[str, str]]:
    """Messages asking to rewrite the follow-up ``question`` as a standalone question."""
    lines = []
    for user, assistant in list(history)[-MAX_HISTORY_TURNS:]:
        if user.strip():
            lines.append(f"User: {' '.join(user.split())}")
        if assistant.strip():
            said = " ".join(MARK.sub("", assistant).split())
            if len(said) > MAX_HISTORY_ANSWER:
                said = said[:MAX_HISTORY_ANSWER].rsplit(" ", 1)[0] + " ..."
            lines.append(f"Assistant: {said}")
    return [
        {"role": "system", "content": load_prompt("condense_system").template},
        {
            "role": "user",
            "content": load_prompt("condense_user").substitute(
                history="\n".join(lines), question=" ".join(question.split())
            ),
        },
    ]
