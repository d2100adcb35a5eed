"""Follow-up questions: chat history in, a standalone question out.

Without an LLM, an entity tracker reads the conversation turn by turn. Each user turn is
first resolved against the entities seen so far, then its named entities (runs of capitalised
words, a possessive ``'s`` dropped) become the conversation's current subject. A follow-up
that leans on that subject, through a pronoun ("it", "its", "they", "their", "he", "his"...), a
determiner and a class noun ("the company", "this project", "that firm's") or an ellipsis
("And the price?", "How big?"), gets the subject's name at its first reference (later ones
then have it as antecedent); a possessive pronoun becomes the name with ``'s``, so no
possessive is ever left behind. A question that names an entity of its own before any
reference ("Where is Wogen based and what does it trade?"), or is not written in English (no
English pronoun or article to resolve), is left as it is.

When several entities share the latest turn, the subject is the one mentioned in the most
turns of the conversation (questions and answers), the longer name on a tie. "He", "she",
"him", "her" and "his" mean a person: the name an answer to the latest "Who...?" question led
with ("Anna Laski [1] ..."), or the phrase it led with when that names no one ("the metal
detectorist"), else the subject. A short "Who...?" ellipsis ("Who came third?") is about the
latest thing, not a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from qa.answer.pronouns import ASKS_WHO, NAME_JOINERS
from qa.errors import InvalidInputError

__all__ = [
    "EntityTracker",
    "History",
    "condense_rule",
    "entities_of",
    "normalise_history",
    "subject_of",
]

History = Sequence[Any]  # (user, assistant) pairs or {"role": ..., "content": ...} dicts

# English function words that start questions or sentences capitalised, and are no names.
_FUNCTION_TEXT = (
    "what who whom whose which when where why how is are was were am be been does do did "
    "can could will would should shall may might must has have had tell and or but so also "
    "then the a an in on at of for to from by with about as i you we me my our your please "
    "list name give describe explain show find compare according if yes no ok okay thanks "
    "thank now it its they their them this that these those he she his her him there here "
    "question answer summarise summarize define outline identify state mention"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
_WORD = re.compile(r"[^\W_][\w&.'’-]*|&")
_POSSESSIVE_END = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)

# Nouns that name a kind of entity; "the company" and "this firm's" point back at a name.
_CLASS_NOUNS = (
    "company|companies|firm|firms|business|corporation|group|organisation|organization|"
    "producer|manufacturer|maker|supplier|startup|start-up|project|product|brand"
)
_REFERENCE = re.compile(
    rf"\b(?:(?:the|this|that|these|those)\s+(?:{_CLASS_NOUNS})(?P<poss>['’]s)?"
    r"|(?P<pron>its|their|theirs|it|they|them|he|him|his|she|her))\b",
    re.IGNORECASE,
)
_POSSESSIVE_PRONOUNS = {"its", "their", "theirs", "his"}
_PERSONAL_PRONOUNS = {"he", "him", "his", "she", "her"}  # a person, not a place or a firm
# a question about the piece itself ("When was it published?", "Who wrote the article?"): "it"
# is the article about the subject, not the subject ("When was the museum published?")
_ABOUT_THE_PIECE = re.compile(r"\b(published|written|wrote|authored|posted|appeared)\b", re.I)


@lru_cache(maxsize=1)
def _the_piece() -> re.Pattern[str]:
    """The piece itself: "the article", "this report" (not "the report on X"). Built
    on first use: the reader's dateline module (and its answer types) load with the reader,
    not with the pipeline."""
    from qa.answer.dateline import PIECE_WORDS

    return re.compile(rf"\b(?:the|this|that)\s+{PIECE_WORDS}\b(?!\s+(?:about|on|of)\b)", re.I)


# the phrase an answer leads with, before its first citation: "Anna Laski [1]"
_LEAD = re.compile(r"^\s*([^\n\[]{1,80}?)\s*\[\d+\]")
_ELLIPSIS = re.compile(r"^\s*(?:and|also|what about|how about|and what about)\b", re.IGNORECASE)


def normalise_history(history: History | None) -> list[tuple[str, str]]:
    """``(user, assistant)`` pairs from pairs or role/content dicts (Gradio's messages format).

    Raises InvalidInputError for anything else (a string, a 1-tuple...)."""
    if history is not None and (
        isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Iterable)
    ):
        raise InvalidInputError(
            f"history must be a list of (user, assistant) pairs or role/content dicts, "
            f"not {type(history).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for item in history or []:
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
            text = content if isinstance(content, str) else str(content or "")
            if role == "user":
                if pending is not None:
                    pairs.append((pending, ""))
                pending = text
            elif role == "assistant":
                pairs.append((pending or "", text))
                pending = None
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            user, assistant = item
            pairs.append((str(user or ""), str(assistant or "")))
        else:
            raise InvalidInputError(
                f"history item {item!r} is neither a (user, assistant) pair nor a role/content dict"
            )
    if pending is not None:
        pairs.append((pending, ""))
    return pairs


def _is_english(text: str) -> bool:
    """True when most letters of ``text`` are ASCII: the rules below read English only."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) >= 0.8 * len(letters)


def _clean(word: str) -> str:
    return _POSSESSIVE_END.sub("", word).rstrip(".-’'")


def entities_of(text: str) -> list[str]:
    """The named entities of ``text`` in order: runs of capitalised words (with joiners such
    as "of" or "&" inside), English function words and a possessive ``'s`` left out.

    >>> entities_of("Who is Magrathea's partner in the Bank of England deal?")
    ['Magrathea', 'Bank of England']
    """
    found: list[str] = []
    run: list[str] = []
    joiners: list[str] = []

    def close() -> None:
        name = " ".join(run).strip()
        if name and name not in found:
            found.append(name)
        run.clear()
        joiners.clear()

    for match in _WORD.finditer(text):
        raw = match.group(0)
        word = _clean(raw)
        gap = text[match.start() - 1] if match.start() else " "
        if run and gap not in " \t":  # punctuation between words ends a name
            close()
        if word and word[0].isupper() and word.lower() not in _FUNCTION_WORDS:
            if run and joiners:
                run.extend(joiners)
            joiners.clear()
            run.append(word)
            if word != raw.rstrip(".-") or raw.endswith(("'", "’")):  # possessive ends it
                close()
        elif run and raw.lower() in NAME_JOINERS and not joiners:
            joiners.append(raw)
        else:
            close()
    close()
    return found


def _as_reference(phrase: str) -> str | None:
    """A "Who...?" answer's phrase that names no one, as the words "he" or "she" stand for:
    "metal detectorist" -> "the metal detectorist", "a local farmer" -> "the local farmer";
    None for what reads as no person (no letters, or more than six words)."""
    words = phrase.split()
    if not words or len(words) > 6 or not any(c.isalpha() for c in phrase):
        return None
    if words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    return " ".join(["the", *words]) if words else None


def _names_before(text: str, end: int) -> bool:
    """True when ``text`` names an entity before offset ``end``."""
    return bool(entities_of(text[:end]))


def subject_of(question: str) -> str | None:
    """The first named entity of ``question`` (see ``entities_of``), or None."""
    names = entities_of(question)
    return names[0] if names else None


class EntityTracker:
    """The conversation's entities, turn by turn: which one a follow-up refers to.

    ``resolve(question)`` gives the standalone question; ``observe(question, answer)`` records
    a finished turn (the resolved question and its answer).
    """

    def __init__(self) -> None:
        self.turn_mentions: dict[str, int] = {}  # entity -> turns (questions, answers) naming it
        self.latest: list[str] = []  # entities of the latest user turn that named any
        self.person: str | None = None  # the answer to the latest "Who...?" that named one
        self.people: set[str] = set()  # every person such an answer named
        self.things: list[str] = []  # the latest entities that are no person: what "it" means

    def _count(self, text: str) -> None:
        for name in entities_of(text):
            self.turn_mentions[name] = self.turn_mentions.get(name, 0) + 1

    def observe(self, question: str, answer: str = "") -> None:
        """Record one turn: ``question`` as resolved, ``answer`` the reply shown."""
        self._count(question)
        self._count(answer)
        names = entities_of(question)
        lead = _LEAD.match(answer)
        led = entities_of(lead.group(1)) if lead else []
        if ASKS_WHO.match(question) and led:
            # "Who won the mayoralty?" answered "Anna Laski [1] ...": "she" then means her,
            # not the place the question named
            self.person = led[0]
            self.people.add(led[0])
        elif ASKS_WHO.match(question) and lead:
            # "Who found the hoard?" answered "metal detectorist [1] ...": "he" then means
            # "the metal detectorist", not the hoard, nor a person of an earlier turn
            self.person = _as_reference(lead.group(1))
        elif not names and led:
            # "Which company won the contract?" answered "Hallstrom Engineering [1] ...":
            # "it" then means the company
            names = led
        if names:
            self.latest = names
            if things := [n for n in names if n not in self.people]:
                self.things = things

    @property
    def subject(self) -> str | None:
        """The entity a pronoun in the next question refers to, or None."""
        return self._best(self.latest)

    @property
    def thing(self) -> str | None:
        """What "it", "its", "they" and "the company" refer to: the subject, unless that is a
        person a "Who...?" was answered with; then the latest entity that is none."""
        return self._best(self.things) or self.subject

    def _best(self, names: list[str]) -> str | None:
        if not names:
            return None
        return max(names, key=lambda n: (self.turn_mentions.get(n, 0), len(n)))

    def resolve(self, question: str) -> str:
        """``question`` with its references to the subject replaced by the subject's name."""
        subject = self.subject
        if not subject or not _is_english(question):
            return question
        names = entities_of(question)
        first = _REFERENCE.search(question)
        if names and (first is None or _names_before(question, first.start())):
            return question  # it names its own subject, before any reference to it

        def name_for(match: re.Match[str]) -> str:
            pronoun = (match.group("pron") or "").lower()
            possessive = bool(match.group("poss")) or pronoun in _POSSESSIVE_PRONOUNS
            if pronoun == "her":  # possessive before a word ("her role"), else the object
                possessive = bool(re.match(r"\s+[^\W\d_]", question[match.end() :]))
            if pronoun in _PERSONAL_PRONOUNS:
                name = self.person or subject
            else:
                name = self.thing or subject
            if pronoun == "it" and _ABOUT_THE_PIECE.search(question):
                return f"the article about {name}"  # "When was it published?"
            return f"{name}'s" if possessive else name

        # the first reference gets the name; later ones then have it as their antecedent
        resolved, replaced = _REFERENCE.subn(name_for, question, count=1)
        if replaced:
            return resolved
        words = _WORD.findall(question)
        if names:
            return question
        piece = _the_piece().search(question)
        if piece and _ABOUT_THE_PIECE.search(question):  # "Who wrote the article?"
            return (
                f"{question[: piece.end()]} about {self.thing or subject}{question[piece.end() :]}"
            )
        if _ELLIPSIS.match(question) or len(words) <= 3:  # "And the price?", "How big?"
            # "Who came third?" after "What was her time?" asks about the race, not her
            about = (self.thing or subject) if ASKS_WHO.match(question) else subject
            return f"{question.rstrip()} ({about})"
        return question


def condense_rule(history: History | None, question: str) -> str:
    """A standalone version of ``question`` from the whole conversation in ``history``.

    Each earlier user turn is resolved in order, so "it" two turns after a name still finds it;
    see the module docstring for the rules. Raises InvalidInputError on a malformed history.
    """
    tracker = EntityTracker()
    for user, assistant in normalise_history(history):
        if user.strip():
            tracker.observe(tracker.resolve(user), assistant)
    return tracker.resolve(question)
