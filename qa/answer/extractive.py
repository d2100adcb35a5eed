"""The offline extractive reader: answers with the source sentence(s) that best fit the question.

Two passes. The first scores every candidate sentence of the retrieved chunks by its pooled
embedding similarity to the question (precomputed at ingest), the similarity of its neighbours
in the chunk (a sentence that continues its neighbour's subject: "The technology claims..."),
the IDF-weighted share of the question's terms it contains and the rank of its chunk. The
second rescores the best RERANK_DEPTH of them with token-level MaxSim (qa.answer.token_match),
which tells the sentence that holds the answer from a summary sentence on the same subject
better than a pooled vector does, and with the answer selector (qa.answer.selector), a
cross-encoder that reads the question and the sentence together and leads this pass. In
both, a sentence that lacks the kind of answer asked for (qa.answer.answer_types: a sum for
"how much did it cost", a date for "when", a person for "who is the CEO", a name the question
lacks for "which carmaker", a number in the unit or per the unit asked for, a quantity or date
from a passage that names what the question names, a quantity or date within 20 words of a
word the question uses) is penalised. A heading or the dateline is never a candidate (the
dateline answers publication questions only, qa.answer.dateline).

It abstains when the best first-pass score is below the threshold (the corpus does not speak to
the question, or the question has no content: "???"), when the learned no-answer score
(qa.answer.no_answer: one minus the no-answer head's best probability over the reranked
candidates) is above ``no_answer_threshold`` (0.95, chosen on the dev splits: eval/README.md),
when the chosen sentence lacks the kind of answer asked for, or when the question names
something no chunk of the corpus holds and the answer selector finds no sentence likely to
answer (an off-topic question in a corpus of many topics). Each of these rules (``GATES``) was
measured by switching it off (eval/gate_ablation.py); the ones that cost no question on the
test splits nor on the probes were deleted, and why each one is kept is in eval/README.md
"Reader gates". A second sentence
is added when its first-pass score is close to the best first-pass score, or fairly close and
it covers question terms the first one lacks (two-part questions); so when MaxSim overturns the
first pass, the first pass's favourite is cited second.

The weights were tuned on the dev split of the article eval set
(qa/evaluation/sets/smm-magnesium.json) and the dev split of XQuAD, and checked on both test
splits; the no-answer threshold is set for a low false abstention on dev (figures:
eval/README.md).
"""

from __future__ import annotations

import atexit
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, cast

import numpy as np

from qa.answer.abbreviations import spelled_out
from qa.answer.answer_types import (
    QUANTITY_TYPES,
    answer_near,
    answer_type,
    holds,
    in_calendar_day,
    load_money_rule,
    money_extent,
    named_subjects,
    new_people,
    quantity_asked,
    quantity_fits,
    question_names,
    states_unit,
    subject_fits,
)
from qa.answer.base import Answerer, CorpusStats, Draft
from qa.answer.byline import byline, byline_name, is_authorship_question, speaks_of_writing
from qa.answer.citations import cite, with_marker
from qa.answer.dateline import (
    PIECE_WORDS,
    about_document,
    dateline,
    dateline_day,
    is_publication_question,
    speaks_of_publication,
    wire_dateline,
)
from qa.answer.language import is_english
from qa.answer.language import load as load_language_identifier
from qa.answer.lists import cut_at_passage_end, list_end, list_extent
from qa.answer.no_answer import NoAnswerHead
from qa.answer.people import load as load_people_recogniser
from qa.answer.pronouns import ASKS_WHO, NAME_JOINERS, PRONOUNS, opens_with_pronoun
from qa.answer.question_parts import question_parts
from qa.answer.recency import document_day
from qa.answer.selector import AnswerSelector, selector_input
from qa.answer.span import Span, whole_words
from qa.answer.span_reader import SpanReader
from qa.answer.token_match import TokenMatcher
from qa.chunking import is_table_header, read_in_context
from qa.documents import SPANS_KEY
from qa.lexical import terms
from qa.types import Hit, Note, Sentence, SentenceSupport, ShortAnswer, same_words

if TYPE_CHECKING:
    from qa.answer.registry import AnswererParts
    from qa.embeddings import QueryEncoding

__all__ = ["Chosen", "ExtractiveReader", "ScoredSentence", "make_reader"]

# first pass (every candidate): pooled similarity, term coverage, chunk rank, neighbours
W_DENSE, W_LEXICAL, W_RANK, W_CONTEXT = 0.7, 0.7, 0.05, 0.2
# second pass (the RERANK_DEPTH best): token-level MaxSim leads, the rest only nudge
RERANK_DEPTH = 5
W2_TOKENS, W2_DENSE, W2_LEXICAL, W2_POSITION = 1.0, 0.2, 0.1, 0.5
W2_SELECTOR = 3.0  # the answer selector's probability that the sentence answers: it leads
TYPE_PENALTY = 0.5
SECOND_SENTENCE_RATIO = 0.8  # with new question terms: two-part questions
SECOND_SENTENCE_CLOSE = 0.9  # without: the two best are too close to call
# a question naming something the corpus never mentions ("What did Beyoncé win in 2001?") is
# answered only if the answer selector gives some sentence at least this probability
UNKNOWN_NAME_SELECTOR = 0.2
# the rules besides the learned no-answer score, each of which can be switched off to measure
# what it earns (QA_READER_GATES_OFF=type,near,...); why each is kept: eval/README.md "Reader
# gates" (eval/gate_ablation.py)
GATES = (
    "first_pass",  # the best first-pass score is below the threshold: abstain
    "unknown_names",  # the question names something the corpus never mentions
    "type",  # the sentence lacks the kind of answer asked for (answer_types.holds)
    "quantity",  # a number in the unit or per the unit asked for (quantity_fits)
    "subject",  # a quantity or date about what the question names (subject_fits)
    "near",  # a typed answer near the question's words (answer_near)
    "dateline",  # publication questions get the dateline (qa.answer.dateline)
    "byline",  # "Who wrote the article?" gets the byline (qa.answer.byline)
    "parts",  # a two-part question leads with a phrase per part (qa.answer.question_parts)
    "newer",  # of two dated reports that answer, the newer is cited first (qa.answer.recency)
)


def gates_on(off: str | None = None) -> frozenset[str]:
    """The gates left on: all of ``GATES`` less those named in ``off`` (default: the
    ``QA_READER_GATES_OFF`` environment variable, comma-separated)."""
    if off is None:
        off = os.environ.get("QA_READER_GATES_OFF", "")
    named = {g.strip() for g in off.split(",") if g.strip()}
    return frozenset(GATES) - named


# the phrase models' loads under way: the interpreter waits for them at exit, as a daemon
# thread stopped inside ONNX Runtime's session set-up aborted a process that exited meanwhile
# ("terminate called without an active exception", a break-test's short scripts)
_PRELOADS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
PRELOAD_EXIT_WAIT_S = 60.0


@atexit.register
def _finish_preloads() -> None:
    for thread in list(_PRELOADS):
        thread.join(PRELOAD_EXIT_WAIT_S)


@dataclass
class ScoredSentence:
    """A candidate sentence with its score parts."""

    hit: Hit
    start: int
    end: int
    text: str
    dense: float
    coverage: float
    covered: frozenset[str]
    score: float
    type_ok: bool = True  # holds the kind of thing asked for (or the question asks for none)
    position: float = 0.0  # the chunk-rank and neighbour parts of the first-pass score
    tokens: float | None = None  # token-level MaxSim (second pass only)
    answers: float | None = None  # the answer selector's probability (second pass only)
    no_answer: float | None = None  # the no-answer head's: it does not answer (second pass)
    first_pass: float = 0.0  # the score before the second pass: what the threshold is set on
    sentence: Sentence | None = None  # the passage's sentence (its id, the one before it)
    read: str = ""  # the sentence as judged: a table row read against its header row
    spans: list[Span] = field(default_factory=list)  # the span reader's best phrases in ``read``
    phrase_null: float | None = None  # the span reader's [CLS] "no span" score of ``read``


def make_reader(parts: AnswererParts) -> ExtractiveReader:
    """The registered factory of the ``extractive`` mode."""
    settings = parts.settings
    embedder = parts.embedder()
    return ExtractiveReader(
        TokenMatcher(embedder),
        parts.corpus,
        settings.abstain_threshold,
        AnswerSelector(
            quantize=settings.answer_selector_int8,
            backend=settings.answer_selector_backend,
            onnx_dir=settings.onnx_models_dir,
        )
        if settings.answer_selector
        else None,
        NoAnswerHead() if settings.answer_selector else None,
        settings.no_answer_threshold,
        gates_on(),
        SpanReader(settings.onnx_models_dir) if settings.answer_selector else None,
        settings.short_answer_margin,
        settings.short_answer_open,
    )


class ExtractiveReader(Answerer):
    """Answers with verbatim source sentences; abstains when none fits well enough.

    Args:
        matcher: token-level MaxSim of a question against sentences.
        corpus: returns the corpus's term statistics (BM25 idf, known terms).
        threshold: a best first-pass score below this abstains.
        selector: the answer selector (a cross-encoder), or None to go without.
        no_answer: the no-answer head over the selector's pair representations (needs the
            selector), or None to go without.
        no_answer_threshold: a question whose no-answer score (one minus the head's best
            probability over the reranked candidates, 0..1) is above this abstains.
        gates: the rules of ``GATES`` that are on.
        span_reader: finds the answer phrase in the chosen sentence (needs the selector), or
            None for sentence answers only.
        short_margin: the answer leads with the span reader's phrase only when its
            log-probability (``Span.margin``) is at least this; None: whenever it finds one
            (``Settings.short_answer_margin``; eval/README.md).
        short_open: a question that asks for no kind of thing ("What...?") gets the phrase
            too (``Settings.short_answer_open``, on by default); else only typed questions do.
    """

    mode = "extractive"

    def __init__(
        self,
        matcher: TokenMatcher,
        corpus: Callable[[], CorpusStats],
        threshold: float = 0.25,
        selector: AnswerSelector | None = None,
        no_answer: NoAnswerHead | None = None,
        no_answer_threshold: float = 1.0,
        gates: frozenset[str] = frozenset(GATES),
        span_reader: SpanReader | None = None,
        short_margin: float | None = None,
        short_open: bool = True,
    ) -> None:
        self._corpus = corpus
        self.matcher = matcher
        self.threshold = threshold
        self.selector = selector
        self.no_answer = no_answer if selector is not None else None
        self.no_answer_threshold = no_answer_threshold
        self.gates = gates
        self.span_reader = span_reader if selector is not None else None
        self.short_margin = short_margin
        self.short_open = short_open
        if self.span_reader is not None:
            # a cold ask builds the reader before it retrieves: load the phrase's models
            # meanwhile, on the other core (about 1 s of a cold ask otherwise; eval/README.md)
            thread = threading.Thread(target=self._preload, name="qa-phrase-models", daemon=True)
            _PRELOADS.add(thread)
            thread.start()

    def _load_phrase_models(self) -> None:
        """Load the span reader and the language identifier (when there is a span reader)."""
        if self.span_reader is not None:
            self.span_reader.load()
            load_language_identifier()

    def _preload(self) -> None:
        """``_load_phrase_models``; a failure is left for their load on first use to raise,
        in the asking thread."""
        try:
            self._load_phrase_models()
        except Exception:  # raised again where it can be reported
            return

    def warm_up(self) -> None:
        load_money_rule()
        if "type" in self.gates or self.span_reader is not None:
            # the type gate and a short answer's person both ask it ("who is the CEO...?")
            load_people_recogniser()
        if self.selector is not None:
            self.selector.load()
        if self.no_answer is not None:
            self.no_answer.load()
        self._load_phrase_models()

    def score(
        self, question: str, hits: Sequence[Hit], query: QueryEncoding
    ) -> list[ScoredSentence]:
        """Every candidate sentence of ``hits``, best first."""
        query_vector = query.vector
        spans: dict[str, tuple[Hit, Sentence, int]] = {}
        for rank, hit in enumerate(hits, start=1):
            # a dateline says when the piece came out and a byline who wrote it, nothing else:
            # those questions get them from _choose_or_top_line; as a candidate a dateline
            # would answer "when will X...?" and a byline "Who leads the council?"
            lines = {dateline(hit), byline(hit)} if hit.index == 0 else set()
            for sentence in hit.sentences:
                if (sentence.start, sentence.end) in lines:
                    continue
                spans.setdefault(sentence.id, (hit, sentence, rank))
        # the vectors of the candidates only: a dateline counts as no neighbour
        vectors = {sid: s.vector for sid, (_, s, _) in spans.items() if s.vector is not None}
        context: dict[str, float] = {}  # best similarity of a sentence's neighbours in its chunk
        for hit in hits:
            ids = [s.id for s in hit.sentences]
            sims = [float(np.dot(vectors[i], query_vector)) if i in vectors else 0.0 for i in ids]
            for n, sid in enumerate(ids):
                near = sims[max(0, n - 1) : n] + sims[n + 1 : n + 2]
                context[sid] = max(context.get(sid, 0.0), max(near, default=0.0))
        index = self._corpus()
        q_terms = set(terms([question])[0])
        weights = {t: index.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        kind = answer_type(question)
        on = self.gates
        # a quantity or a date must be about what the question names (its sentence's chunk
        # mentions it): checked for those kinds only, where a wrong subject is a wrong answer
        names = (
            named_subjects(question, [h.text for h in hits])
            if kind in QUANTITY_TYPES and "subject" in on
            else []
        )
        asked = quantity_asked(question) if "quantity" in on else None

        def column(name: str) -> str:
            """A column name as the question spells it: "points (Pts)"."""
            spelled = spelled_out(name, question)
            return name if spelled is None else f"{spelled} ({name})"

        scored = []
        for sid, (hit, sentence, rank) in spans.items():
            start, end = sentence.start, sentence.end
            vector = vectors.get(sid)
            if vector is None:
                continue
            text = hit.span_text(start, end)
            if text.lstrip().startswith("#"):  # a heading names a topic, it answers nothing
                continue
            if hit.title and text.split() == hit.title.split():
                continue  # so does a headline without "#" (a .txt or HTML document's title)
            if is_table_header(hit.text, start - hit.start, end - hit.start):
                continue  # so do a table's column names
            dense = float(np.dot(vector, query_vector))
            # a table row is judged as read against its header row ("Q3 2024: 14.2 Revenue
            # (million EUR); 222 Staff"); what is cited is still the row
            # a chunk that begins inside a table is read below its table's header rows
            table, shift = hit.with_table_header()
            read = read_in_context(
                table,
                start - hit.start + shift,
                end - hit.start + shift,
                hit.title,
                values_first=True,
                column=column,
            )
            covered = frozenset(q_terms.intersection(terms([read])[0]))
            coverage = sum(weights[t] for t in covered) / total
            position = W_RANK / rank + W_CONTEXT * context.get(sid, 0.0)
            score = W_DENSE * dense + W_LEXICAL * coverage + position
            # "It also plans to open eight shops" names its company in the sentence before
            judged = read
            if kind in ("person", "name") and sentence.previous and opens_with_pronoun(text):
                judged = f"{sentence.previous} {read}"
            # the rules read words one space apart: justified text widens its spaces ("as  many
            # as  4,000  cars  a  day" states a rate per day as the single-spaced line does)
            spaced, judged = " ".join(read.split()), " ".join(judged.split())
            # "The new money will be used to:" holds what is asked in the list it introduces
            listed = list_end(hit, end) if read == text else None
            if listed is not None:
                items = " ".join(hit.span_text(end, listed).split())
                spaced, judged = f"{spaced} {items}", f"{judged} {items}"
            type_ok = (
                ("type" not in on or holds(kind, judged, question))
                and (asked is None or quantity_fits(asked, spaced, row=read != text))
                and subject_fits(names, hit.text)
                and ("near" not in on or answer_near(kind, spaced, q_terms, terms))
            )
            if not type_ok:
                score *= TYPE_PENALTY
            scored.append(
                ScoredSentence(
                    hit,
                    start,
                    end,
                    text,
                    dense,
                    coverage,
                    covered,
                    score,
                    type_ok,
                    position,
                    first_pass=score,
                    sentence=sentence,
                    read=read,
                )
            )

        def order(s: ScoredSentence) -> tuple[float, str, int]:
            return (-s.score, s.hit.doc_id, s.start)

        scored.sort(key=order)
        pool, rest = scored[:RERANK_DEPTH], scored[RERANK_DEPTH:]
        if pool and not any(s.type_ok for s in pool):
            # rows of a table read under its title can fill the pool for a question they cannot
            # answer ("Who is the chief executive of Norvik...?" against "Norvik...: Norway:
            # 1,284"): the best sentence that holds the kind asked for is reranked too, in the
            # last place (without it the answer is "not found" whatever the rerank finds)
            held = next((s for s in rest if s.type_ok), None)
            if held is not None:
                pool, rest = [*pool[:-1], held], [pool[-1], *(s for s in rest if s is not held)]
        return self._rerank(question, query, pool, order) + rest

    def _rerank(
        self,
        question: str,
        query: QueryEncoding,
        best: list[ScoredSentence],
        order: Callable[[ScoredSentence], tuple[float, str, int]],
    ) -> list[ScoredSentence]:
        """Rescore the first pass's best sentences, the answer selector leading."""
        ids = [(s.sentence.id if s.sentence else "", s.text) for s in best]
        tokens = self.matcher.scores(query, ids)
        answers = np.zeros(len(best))
        if self.selector is not None:
            answers, pooled = self.selector.read_pairs(
                [
                    (
                        question,
                        # no title: reading hit.title too lowered accuracy (eval/README.md);
                        # the sentence before the candidate is its context
                        selector_input(
                            s.read or s.text, previous=s.sentence.previous if s.sentence else ""
                        ),
                    )
                    for s in best
                ]
            )
            if self.no_answer is not None:
                for s, p in zip(best, self.no_answer.answers(pooled), strict=True):
                    s.no_answer = 1.0 - float(p)
        for s, t, a in zip(best, tokens, answers, strict=True):
            s.tokens = t
            s.answers = float(a) if self.selector is not None else None
            s.score = (
                W2_TOKENS * t
                + W2_DENSE * s.dense
                + W2_LEXICAL * s.coverage
                + W2_POSITION * s.position
                + W2_SELECTOR * float(a)
            ) * (1.0 if s.type_ok else TYPE_PENALTY)
        return sorted(best, key=order)

    def answer(self, question: str, passages: Sequence[Hit], query: QueryEncoding) -> Draft:
        found = self._choose_or_top_line(question, list(passages), query)
        if isinstance(found, str):
            return Draft.abstain(found)
        if found.top_line == "dateline":
            # the day the dateline gives, whole ("January 15th, 2026", "19. Juli 2023"), or its
            # time: the span reader, trained on no datelines, cut them to "2026"
            line = found.sentences[0]
            return _draft(
                found.sentences, found.notes, _line_phrase(line, dateline_day(line.text, question))
            )
        if found.top_line == "byline":
            # the names the byline gives (the span reader, trained on no bylines, cut "Priya
            # Raman" to "Priya"); a front matter's "author:" value is the names itself (said
            # once: the phrase is the whole line)
            line = found.sentences[0]
            if len(found.sentences) > 1:  # a front matter's list of authors, one line each
                return _draft(found.sentences, found.notes, sep=", ")
            names = (0, len(line.text)) if found.front_matter else byline_name(line.text)
            return _draft(found.sentences, found.notes, _line_phrase(line, names))
        if found.listed and answer_type(question) is None:
            # "What will the money be used for?": the items are the answer, no one phrase is
            return _with_cut_warning(_draft(found.sentences, found.notes), found)
        parts = question_parts(question) if "parts" in self.gates else [question]
        if len(parts) == 2:
            # "How much do the cranes cost and when will they arrive?": a phrase per part,
            # each read with its part, when both parts have one and they differ
            first, second = (self._phrase(part, found.sentences) for part in parts)
            if (first is None) != (second is None):
                # the part the whole question's sentences do not answer is looked for on its
                # own ("... and when will they arrive?" when the day is in the next sentence)
                n = 0 if first is None else 1
                added = self._add_part_sentence(parts[n], list(passages), query, found)
                if added:
                    got = self._phrase(parts[n], found.sentences)
                    first, second = (got, second) if n == 0 else (first, got)
            if first and second and (first.end <= second.start or second.end <= first.start):
                found.notes.append(f"two-part question: {parts[0]} / {parts[1]}")
                return _draft(found.sentences, found.notes, first, also=second)
        # each cited sentence is read; the answer leads with the phrase that clears its
        # sentence's "no span" score ([CLS]) by most (the sentence may be the second cited)
        self._read_phrases(question, found.sentences)
        self._widen_to_antecedents(question, found)
        # of two reports, the newer's phrase leads
        short = self._best_phrase(question, found.sentences[: 1 if found.newer else None])
        if short is not None and _OVER_ITEMS.search(short.text):
            short = None  # a phrase over several items is the list itself, not one of them
        margins = [
            s.spans[0].score - s.phrase_null
            for s in found.sentences
            if s.spans and s.phrase_null is not None
        ]
        if margins:
            found.notes.append(f"span reader: best span over no span {max(margins):.2f}")
        return _with_cut_warning(_draft(found.sentences, found.notes, short), found)

    def _add_part_sentence(
        self, part: str, hits: list[Hit], query: QueryEncoding, found: Chosen
    ) -> bool:
        """Cite the sentence that best answers ``part`` of a two-part question too (scored
        with the part's words and the whole question's vector), unless it is cited already or
        none does. Whether one was added."""
        chosen = self.choose(part, hits, query)
        if isinstance(chosen, str):
            return False
        best = chosen.sentences[0]
        if any(_overlap(best, s) for s in found.sentences):
            return False
        found.sentences.append(best)
        return True

    def _phrase(self, question: str, sentences: list[ScoredSentence]) -> ShortAnswer | None:
        """The phrase ``question`` is answered with out of ``sentences`` (read for it)."""
        self._read_phrases(question, sentences)
        return self._best_phrase(question, sentences)

    def _best_phrase(self, question: str, sentences: list[ScoredSentence]) -> ShortAnswer | None:
        """Of the read ``sentences``' phrases, the one that clears its sentence's "no span"
        score by most, or None."""
        phrases = []
        for i, sent in enumerate(sentences, start=1):
            got = short_answer(sent, self.short_margin, question, self.short_open, index=i)
            if got is not None:
                phrases.append(got)
        return max(phrases, key=lambda p: p[1])[0] if phrases else None

    def _read_phrases(self, question: str, sentences: list[ScoredSentence]) -> None:
        """Fill the cited sentences' ``spans`` and ``phrase_null`` from the span reader (one
        model run), for a question that wants a phrase. The reader learnt English only
        (elsewhere its phrases were mostly wrong), so it reads the sentences from the first
        up to one that is not English, with the question and alone (what the reader reads:
        the sentence and the one before it): when the best sentence is German, an English
        second one from another article would lend it a phrase, and with the question alone
        a long English question outweighed a short German sentence ("14.000 [1]" for how
        much the state pays). Its whole passage is not judged: a German code block in an
        English chunk took the phrases of its English sentences."""
        wanted = self.short_open or answer_type(question) is not None
        if self.span_reader is None or not wanted:
            return
        read: list[ScoredSentence] = []
        inputs: list[tuple[str, int]] = []
        for s in sentences:
            text = s.read or s.text
            previous = s.sentence.previous if s.sentence else ""
            passage = selector_input(text, previous=previous)
            if not (is_english(f"{question} {text}") and is_english(passage)):
                break
            read.append(s)
            inputs.append((passage, len(text)))
        for sent, reading in zip(read, self.span_reader.read_all(question, inputs), strict=True):
            sent.spans, sent.phrase_null = reading.spans, reading.null_score

    def _widen_to_antecedents(self, question: str, found: Chosen) -> None:
        """A cited sentence whose best phrase is a pronoun ("She said the work would cost 42
        million euros") is widened back over the sentence before it, when the chunk holds
        that one and the span reader, reading the two as one passage, finds a phrase there
        ("Maria Okafor, the harbour director, presented the plan. She said..."): the answer
        leads with the name and cites both sentences as one span (``antecedent`` chooses
        it). A cited sentence inside the widened span is dropped (it is cited by it). A
        sentence that opens with a pronoun ("They asked for a study") is widened so too for a
        question that asks who or which one, whatever its best phrase."""
        if self.span_reader is None:
            return
        asks_for_name = answer_type(question) == "name" or bool(ASKS_WHO.match(question))
        for i, sent in enumerate(found.sentences):
            before = _sentence_before(sent)
            if before is None or not (
                _leads_with_pronoun(sent) or (asks_for_name and opens_with_pronoun(sent.text))
            ):
                continue
            text = sent.hit.span_text(before.start, sent.end)
            reader_input = selector_input(text, previous=before.previous)
            reading = self.span_reader.read_all(question, [(reader_input, len(text))])[0]
            chosen = antecedent(text, reading.spans, sent.start - before.start)
            if chosen is None:
                continue  # no name the pronoun stands for: the sentence stays as it was
            # the chosen name leads; the reader's other spans follow in its order
            spans = [chosen, *(s for s in reading.spans if s is not chosen)]
            wide = replace(
                sent, start=before.start, text=text, read="", spans=spans,
                phrase_null=reading.null_score,
            )  # fmt: skip
            got = short_answer(wide, self.short_margin, question, self.short_open)
            if got is None or got[0].start >= sent.start:
                continue
            found.sentences[i] = wide
            found.notes.append(f"the phrase is in the sentence before citation {i + 1}")
        kept: list[ScoredSentence] = []
        for sent in found.sentences:
            if not any(o is not sent and _within(sent, o) for o in found.sentences):
                kept.append(sent)
        found.sentences[:] = kept

    def _choose_or_top_line(
        self, question: str, hits: list[Hit], query: QueryEncoding
    ) -> Chosen | str:
        """``choose``; for "When was the report published?", the dateline unless the chosen
        sentence itself says when something was published; for "Who wrote the article?", the
        byline unless the chosen sentence itself says who wrote something."""
        found = self.choose(question, hits, query)
        if not hits:
            return found
        if "dateline" in self.gates and is_publication_question(question):
            asked, speaks, find = "dateline", speaks_of_publication, dateline
        elif "byline" in self.gates and is_authorship_question(question):
            asked, speaks, find = "byline", speaks_of_writing, byline
        else:
            return found
        # the chosen sentence says it itself; but "A safety report written by Paul Dressler"
        # does not say who wrote the article
        if (
            isinstance(found, Chosen)
            and speaks(found.sentences[0].text)
            and (asked == "dateline" or _same_piece(question, found.sentences[0].text))
        ):
            return found
        # the best-ranked document the question describes: in a two-part question the top hit
        # may belong to the other part's document
        for doc_id in dict.fromkeys(h.doc_id for h in hits):
            piece = [h for h in hits if h.doc_id == doc_id]
            if about_document(question, [h.text for h in piece]):
                # without a dateline, another date of the piece ("on Saturday") is no answer;
                # without a byline, a name of the piece is not its author
                return self._top_line(piece[0], find, asked) or f"{doc_id} has no {asked}"
        return found

    def _top_line(
        self, best: Hit, find: Callable[[Hit], tuple[int, int] | None], asked: str
    ) -> Chosen | None:
        """The dateline or byline (``find``) of ``best``'s document, for "When was the report
        published?" or "Who wrote the article?"."""
        first = best if best.index == 0 else best.first_chunk
        if first is None:  # retrieval could not read it: the abstention stands
            return None
        span = find(first)
        values: list[Hit] = []
        if span is None:
            # a Markdown front matter's "date:" or "author:" value, when the body has no line
            values = _front_matter_lines(best, "published" if asked == "dateline" else "author")
            if not values:
                return None
        lines = [(first, span)] if span is not None else [(v, (v.start, v.end)) for v in values]
        chosen = [
            ScoredSentence(hit, start, end, hit.span_text(start, end), 0.0, 0.0, frozenset(), 0.0)
            for hit, (start, end) in lines
        ]
        where = " (its front matter)" if span is None else ""
        notes = [f"the {asked} of {best.doc_id}{where}: a question about the piece"]
        return Chosen(chosen, notes, top_line=asked, front_matter=span is None)

    def _unknown_names(self, question: str) -> list[str]:
        """The names of ``question`` that no chunk of the corpus holds (a misspelt or
        adjectival form counts as unknown too: the selector check guards those)."""
        index = self._corpus()
        names = question_names(question)
        stems = terms(names) if names else []
        return [
            n for n, st in zip(names, stems, strict=True) if st and not any(map(index.knows, st))
        ]

    def choose(self, question: str, hits: Sequence[Hit], query: QueryEncoding) -> Chosen | str:
        """The sentence(s) that answer ``question``, or why none does."""
        scored = self.score(question, hits, query)
        on = self.gates
        # the learned no-answer score: none of the reranked candidates answers
        none = min((s.no_answer for s in scored if s.no_answer is not None), default=None)
        said = f"no-answer score {none:.3f}; " if none is not None else ""
        # MaxSim finds a "best" sentence for any question; whether the corpus speaks to the
        # question at all is judged on the first-pass score (pooled similarity and coverage)
        fit = max((s.first_pass for s in scored), default=None)
        if fit is None or ("first_pass" in on and fit < self.threshold):
            best = f"{fit:.3f}" if fit is not None else "none"
            return f"{said}best sentence score {best} < threshold {self.threshold}"
        if none is not None and none > self.no_answer_threshold:
            return f"{said}above the threshold {self.no_answer_threshold}: no sentence answers"
        if (
            "unknown_names" in on
            and self.selector is not None
            and (unknown := self._unknown_names(question))
        ):
            likeliest = max((s.answers for s in scored if s.answers is not None), default=0.0)
            if likeliest < UNKNOWN_NAME_SELECTOR:
                return (
                    f"{said}the corpus never mentions {', '.join(unknown)} and no sentence "
                    f"answers (selector {likeliest:.2f} < {UNKNOWN_NAME_SELECTOR})"
                )
        if not scored[0].type_ok:
            # asked for a kind of answer (a sum, a date, a person...) the best sentence lacks.
            # Falling back to the best sentence that holds one was tried: in a large corpus
            # some sentence always holds a percentage or a sum, so it would answer everything.
            return f"{said}no candidate sentence holds the kind of answer asked for"
        top = scored[0]
        extent = (
            list_extent(hits, top.hit.doc_id, top.start, top.end)
            if top.read in ("", top.text)
            else None
        )
        if extent is not None:
            # a list's lead-in ("The council has opened the following rest centres:") is cited
            # with its items, as one span; the list is the whole answer
            hit, last = extent
            wide = replace(top, hit=hit, end=last, text=hit.span_text(top.start, last), read="")
            notes = [
                f"{said}best sentence score {top.score:.3f} (first pass {fit:.3f})",
                "citation 1 is a list with the line that introduces it",
            ]
            return Chosen([wide], notes, listed=True, cut=cut_at_passage_end(hit, last))
        if "newer" in on and (newer := _newer_report(question, scored)) is not None:
            report, day, earlier = newer
            return Chosen(
                [report, scored[0]],
                [
                    f"{said}best sentence score {scored[0].score:.3f} (first pass {fit:.3f})",
                    f"two reports answer: the newer ({day.isoformat()}) is cited first, the "
                    f"earlier ({earlier.isoformat()}) second",
                ],
                newer=True,
            )
        chosen = [scored[0]]
        # the second sentence is judged on first-pass scores: MaxSim favours long sentences,
        # which is harmless for the best one but fills a second slot with long overviews
        others = sorted(scored[1:], key=lambda s: -s.first_pass)
        for cand in others[:3]:
            gain = sum(1 for t in cand.covered if t not in chosen[0].covered)
            if not _overlap(cand, chosen[0]) and (
                cand.first_pass >= SECOND_SENTENCE_CLOSE * fit
                or (cand.first_pass >= SECOND_SENTENCE_RATIO * fit and gain >= 1)
            ):
                chosen.append(cand)
                break
        second = chosen[-1]
        extent = (
            list_extent(hits, second.hit.doc_id, second.start, second.end)
            if len(chosen) == 2 and second.read in ("", second.text)
            else None
        )
        if extent is not None and (
            chosen[0].hit.doc_id == second.hit.doc_id
            and second.start < chosen[0].end
            and chosen[0].start < extent[1]
        ):
            extent = None  # the best sentence is an item of that list: it is cited alone
        if extent is not None:  # a second sentence that introduces a list is cited with it
            hit, last = extent
            chosen[1] = replace(
                second, hit=hit, end=last, text=hit.span_text(second.start, last), read=""
            )
        return Chosen(
            chosen,
            [f"{said}best sentence score {scored[0].score:.3f} (first pass {fit:.3f})"],
            listed=extent is not None,
            cut=extent is not None and cut_at_passage_end(*extent),
        )


_PIECE = re.compile(rf"\b{PIECE_WORDS}s?\b", re.IGNORECASE)


def _line_phrase(line: ScoredSentence, span: tuple[int, int] | None) -> ShortAnswer | None:
    """The phrase ``line.text[start:end]`` of a dateline or byline, as citation 1's short
    answer (None for no span)."""
    if span is None:
        return None
    start, end = span
    return ShortAnswer(line.text[start:end], 1, line.start + start, line.start + end, 0.0)


def _same_piece(question: str, sentence: str) -> bool:
    """Whether ``sentence`` names the kind of piece ``question`` asks about ("report" and
    "report"), so that it may say who wrote that piece."""
    asked = {m.group(1).lower() for m in _PIECE.finditer(question)}
    return bool(asked & {m.group(1).lower() for m in _PIECE.finditer(sentence)})


def _front_matter_lines(hit: Hit, key: str) -> list[Hit]:
    """The front-matter value ``key`` ("published", "author") of ``hit``'s document as hits
    of their own (exact spans and texts, recorded at ingest: ``SPANS_KEY``): one per line of
    a list of authors; [] without one."""
    value = (hit.document.get(SPANS_KEY) or {}).get(key)
    if not isinstance(value, list):
        return []
    if len(value) == 3 and isinstance(value[0], int):  # a store read by reader-7: one span
        value = [value]
    found = []
    for span in value:
        if not (isinstance(span, list) and len(span) == 3):
            return []
        start, end, text = span
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(text, str)):
            return []
        if end - start != len(text) or not text:
            return []
        found.append(replace(hit, start=start, end=end, text=text, sentences=[], index=0))
    return found


@dataclass
class Chosen:
    """The sentences the reader answers a question with, best first, and how it chose them."""

    sentences: list[ScoredSentence]
    notes: list[str]
    top_line: str | None = None  # "dateline" or "byline": the piece's own line answers
    front_matter: bool = False  # that line is a value of the document's front matter
    listed: bool = False  # a sentence is a list's lead-in, cited with its items
    cut: bool = False  # that list reaches the end of its passage: it may go on
    newer: bool = False  # the first sentence is from a newer report than the second


# "What was the first reported death toll?" asks for the earlier report
_EARLIER = re.compile(
    r"\b(first|initial(ly)?|original(ly)?|earliest|earlier|previous(ly)?)\b", re.I
)
# the answer selector's probability that a sentence answers, from which it counts as an answer:
# its decision boundary (a classifier's, not tuned)
ANSWERS = 0.5


def _newer_report(
    question: str, scored: list[ScoredSentence]
) -> tuple[ScoredSentence, date, date] | None:
    """The best sentence of a newer document than the best sentence's, with both documents'
    days, when sentences of two or more documents answer (reranked, holding what is asked,
    the selector's probability at least ``ANSWERS``, too close to call: a score at least
    ``SECOND_SENTENCE_CLOSE`` of the best's) and every one of those documents is dated
    (``qa.answer.recency.document_day``); else None. A question that names a time ("by 3
    July?", "in 2024?") or asks for an earlier report ("the first reported toll") is left
    alone."""
    if holds("date", question) or _EARLIER.search(question):
        return None
    # too close to call: a newer report's "The death toll is expected to rise." scored well
    # below does not answer "What is the death toll?" (nor keep a closer one from answering)
    close = SECOND_SENTENCE_CLOSE * scored[0].score
    answering = [
        s
        for s in scored
        if s.answers is not None and s.answers >= ANSWERS and s.type_ok and s.score >= close
    ]
    if not answering or answering[0] is not scored[0]:
        return None
    best: dict[str, ScoredSentence] = {}
    for s in answering:  # best first: each document's best sentence
        best.setdefault(s.hit.doc_id, s)
    if len(best) < 2:
        return None
    days = {doc: document_day(s.hit) for doc, s in best.items()}
    if any(day is None for day in days.values()):
        return None
    dated = cast("dict[str, date]", days)
    newest = max(dated, key=lambda doc: dated[doc])
    top = scored[0].hit.doc_id
    if dated[newest] <= dated[top]:
        return None
    return best[newest], dated[newest], dated[top]


def _overlap(a: ScoredSentence, b: ScoredSentence) -> bool:
    """The same span, or the same words in another document (an article saved twice)."""
    if same_words(a.text) == same_words(b.text):
        return True
    return a.hit.doc_id == b.hit.doc_id and a.start < b.end and b.start < a.end


def _sentence_before(sent: ScoredSentence) -> Sentence | None:
    """The sentence just before ``sent`` in its chunk, unless ``sent`` is a table row or the
    one before is a heading (a heading names no one a pronoun points at)."""
    if sent.sentence is None or (sent.read and sent.read != sent.text):
        return None
    sentences = sent.hit.sentences
    at = next((n for n, s in enumerate(sentences) if s.start == sent.start), 0)
    if at == 0:
        return None
    before = sentences[at - 1]
    if sent.hit.span_text(before.start, before.end).lstrip().startswith("#"):
        return None
    return before


def _phrases(read: str, spans: Sequence[Span], longest: int) -> Iterator[tuple[Span, int, str]]:
    """The span reader's phrases of ``read``, best first, as ``short_answer`` takes them:
    ``(span, offset of the phrase in read, phrase)``, whole words less edge punctuation, each
    of fewer than ``longest`` words."""
    for span in spans:
        first, last = whole_words(read, span.start, span.end)
        phrase = read[first:last].strip(" ,;:.")
        if phrase and len(phrase.split()) < longest:
            yield span, first + read[first:last].find(phrase), phrase


def _leads_with_pronoun(sent: ScoredSentence) -> bool:
    """Whether the span reader's best phrase of ``sent`` is a bare pronoun."""
    best = next(_phrases(sent.read or sent.text, sent.spans, len(sent.text.split())), None)
    return best is not None and best[2].lower() in PRONOUNS


# capitalised at a sentence's start without being a name
_DETERMINERS = frozenset(["the", "a", "an", "this", "that", "these", "those", "its", "their"])


# how many of the span reader's best phrases of the two sentences are looked at for the name
ANTECEDENT_SPANS = 5


def _is_name(phrase: str) -> bool:
    """Whether ``phrase`` is a name: each word capitalised but joiners ("Maria Okafor", "Bank
    of England", "Rosa Delgado and Mark Chen"), the first no determiner or pronoun (not "The
    plant", "Local officials", "Officials in the regional government")."""
    words = phrase.split()
    if not words or words[0].lower() in _DETERMINERS | PRONOUNS:
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in NAME_JOINERS for w in words)


def _ordinary_opening_word(text: str, at: int, phrase: str) -> bool:
    """Whether ``phrase`` (at offset ``at`` of ``text``) is one word opening its sentence that
    is an ordinary word (in the bundled tokenizer's vocabulary: "Local officials praised...",
    "Officials in the government..."), capitalised only as a sentence's first word is. A name
    that opens a sentence alone ("Nordfood said...", "Solberg defeated...") is rarely one."""
    if " " in phrase or text[:at].rstrip()[-1:] not in ("", ".", "!", "?", "\n"):
        return False
    from qa.hyphenation import vocabulary

    return phrase.lower() in vocabulary()


def _stands_for(pronoun: str, phrase: str, text: str, at: int) -> bool:
    """Whether ``pronoun`` may stand for ``phrase`` (at ``at`` in ``text``): "he" and "she" for
    one person's name (every word capitalised, no "and", not an ordinary word that opens its
    sentence: "Local officials", "Officials"), any other pronoun for a phrase that opens with
    a capitalised word other than a determiner ("Hallstrom Engineering", "Protestant
    reformers"; not "The plant")."""
    if pronoun not in ("he", "she"):
        first = phrase.split()[0]
        return first[:1].isupper() and first.lower() not in _DETERMINERS | PRONOUNS
    return (
        _is_name(phrase)
        and not re.search(r"\s(and|&)\s", phrase)
        and not _ordinary_opening_word(text, at, phrase)
    )


def antecedent(text: str, spans: Sequence[Span], sentence_start: int) -> Span | None:
    """The span of the name a pronoun-led sentence means, in ``text`` (the sentence before it,
    then the sentence from offset ``sentence_start``), from the span reader's ``spans`` of
    ``text``: None when the reader's best phrase lies in the sentence itself (the answer is
    there), else the best-rated of its ``ANTECEDENT_SPANS`` best phrases that lies in the
    sentence before and that the pronoun may stand for (``_stands_for``: "He" is not "Tomas
    Brandt and Greta Lindqvist" nor "Local officials"). Chosen on SQuAD v1.1 train and the
    cases of a new-user test (eval/README.md "A pronoun's name")."""
    phrases = [p for p in _phrases(text, spans, len(text.split())) if p[2].lower() not in PRONOUNS]
    if not phrases or phrases[0][1] >= sentence_start:
        return None
    words = text[sentence_start:].split()
    pronoun = words[0].lower().strip(",.;:") if words else ""
    names = [
        (span, at, phrase)
        for span, at, phrase in phrases[:ANTECEDENT_SPANS]
        if at < sentence_start and _stands_for(pronoun, phrase, text, at)
    ]
    return names[0][0] if names else None


def _within(inner: ScoredSentence, outer: ScoredSentence) -> bool:
    """Whether ``inner``'s span lies inside ``outer``'s, in the same document."""
    return (
        inner.hit.doc_id == outer.hit.doc_id
        and outer.start <= inner.start
        and inner.end <= outer.end
        and (inner.start, inner.end) != (outer.start, outer.end)
    )


def short_answer(
    best: ScoredSentence,
    margin: float | None,
    question: str,
    short_open: bool = False,
    index: int = 1,
) -> tuple[ShortAnswer, float] | None:
    """The answer phrase of ``best`` (citation ``index``) with its span's score over the
    sentence's "no span" score (start plus end logits less [CLS]'s; how the phrases of two
    cited sentences are compared), or None.

    For a question that asks for a kind of thing (an amount, a number, a date, a person, a
    name: ``answer_type``), the phrase is the best of the span reader's spans whose text
    holds that kind (``holds``: "fifteen" is a number, "$10 million" an amount), shorter than
    the sentence, found in the cited text (a table row is read against its header: the phrase
    must be in the row) and, with ``margin``, of at least that log-probability. With
    ``short_open``, a question that asks for no kind of thing gets the best span (any text)
    under the same conditions. A best span that is a bare pronoun gives no phrase. Of a table
    row's spans, the one whose column's name shares most terms with the question leads.
    """
    kind = answer_type(question)
    if kind is None and not short_open:
        return None
    read = best.read or best.text
    # "How many jobs...?": the phrase is the number of jobs, not another number of the sentence
    asked = quantity_asked(question)
    # the day of a wire dateline opening the sentence ("GENEVA, June 12, 2023 - ") dates the
    # piece, not what the sentence says: no phrase of it answers (publication questions get
    # the dateline); its place may ("Where is the festival held?")
    opening = wire_dateline(read)
    day = dateline_day(read[:opening]) if opening else None
    row = read != best.text
    # of a table row's values, the one in the column the question names ("in 2022", "the new
    # price") leads; among equals, the reader's order
    cells: list[tuple[int, tuple[ShortAnswer, float]]] = []
    # the question's terms a column's name holds (not the row's own values: "Castleton
    # Athletic" names the row, not a column)
    asked_terms = set(terms([question])[0]) - set(terms([best.text])[0]) if row else set()
    # a row reads "<title>: <first cell>: <value> <column>; ...": no phrase of the title is a
    # cell, and the first cell has no column name of its own (what follows it is the values)
    titled = f"{best.hit.title}: "
    label = len(titled) if row and read.startswith(titled) else 0
    values = read.find(": ", label) + 2 if row else 0
    for span in best.spans:
        if margin is not None and span.margin < margin:
            break
        first, last = whole_words(read, span.start, span.end)
        if kind == "money":  # the whole sum: "EUR 5bn" for "5bn", "48 mil. Kč" for "48 mil"
            first, last = money_extent(read, first, last)
        if day is not None and first < day[1] and day[0] < last:
            continue
        if kind == "number" and in_calendar_day(read, first, last):
            continue  # "How many bids...?" is not answered by "on February 28"
        # a list item's bullet is no part of its phrase ("● a climbing wall")
        phrase = _BULLET.sub("", read[first:last].strip(" ,;:."))
        if not phrase or len(phrase.split()) >= len(best.text.split()) or first < label:
            continue
        if phrase.lower() in PRONOUNS:
            return None
        # a table row is read with each value before its column's name ("14.2 Revenue
        # (million EUR)"): the kind is judged on the value with its column's name
        column = read[last:].split(";")[0] if first >= values else ""
        judged = read[first:last] + column if row else phrase
        if kind == "person" and not row:
            # a name is recognised in its sentence ("Okafor said..."), not alone: the phrase
            # must overlap a person the sentence names and the question does not
            if not any(s < last and first < e for s, e in new_people(read, question)):
                continue
        elif kind is not None and not holds(kind, judged, question):
            continue
        if asked.units:
            # the words after the phrase, up to the next number, must name the unit
            after = re.split(r"\d", read[last : last + 40], maxsplit=1)[0]
            if not states_unit(asked, read[first:last] + after, leading=True, row=row):
                continue
        if not row:
            at = first + read[first:last].find(phrase)
        else:
            # the phrase as a whole value of the row ("6", not the 6 of "6.5", "16" or "-6")
            found_at = [
                m.start()
                for m in re.finditer(rf"(?<![\w.,+-]){re.escape(phrase)}(?![\w]|[.,]\d)", best.text)
            ]
            if len(found_at) != 1:
                continue  # not in the cited text, or ambiguous there
            at = found_at[0]
        start = best.start + at
        null = best.phrase_null if best.phrase_null is not None else 0.0
        found = ShortAnswer(phrase, index, start, start + len(phrase), round(span.margin, 3))
        if not row:
            return found, span.score - null
        named = len(asked_terms & set(terms([column])[0]))
        cells.append((named, (found, span.score - null)))
    if not cells:
        return None
    named, chosen = max(cells, key=lambda cell: cell[0])  # max keeps the first of equals
    # the column the question names holds no phrase ("n/a", "-", empty): no other column's
    # value answers it ("a family day ticket for a child" is not the adult price)
    pieces = [piece.rsplit(": ", 1)[-1] for piece in read.split("; ")]
    if named < max(len(asked_terms & set(terms([piece])[0])) for piece in pieces):
        return None
    return chosen


_BULLET = re.compile(r"^[-*+•●▪◦‣■–]\s+")
# a phrase over a paragraph break or the next list item's mark
_OVER_ITEMS = re.compile(r"\n\s*\n|\n\s*(?:[-*+•●▪◦‣■–]|\d{1,3}[.)]|[a-zA-Z][.)])\s")


def _with_cut_warning(draft: Draft, found: Chosen) -> Draft:
    """``draft``, warned when the list it cites reaches the end of its passage."""
    if found.cut:
        draft.notes.append(Note.warning("the list may go on past the passage cited"))
    return draft


def _draft(
    chosen: list[ScoredSentence],
    notes: list[str],
    short: ShortAnswer | None = None,
    sep: str = " ",
    also: ShortAnswer | None = None,
) -> Draft:
    """The answer: the short answer phrase when there is one (and ``also``, a two-part
    question's second: "12 million euros [1]; March 2025 [1]"), then each chosen sentence
    verbatim (less the source's own footnote marks), with the citation of its span, joined
    by ``sep`` (", " for a list of names)."""
    citations = [cite(i, s.hit, s.start, s.end) for i, s in enumerate(chosen, start=1)]
    parts = [with_marker(s.text, i) for i, s in enumerate(chosen, start=1)]
    sentences, offset, lead = [], 0, ""
    if short is not None:
        lead = f"{short.text} [{short.citation}]"
        cited = [short.citation]
        if also is not None:
            lead += f"; {also.text} [{also.citation}]"
            cited = sorted({short.citation, also.citation})
        sentences.append(SentenceSupport(lead, 0, len(lead), cited, 1.0, True))
        if len(chosen) == 1 and short.text == chosen[0].text.strip() and also is None:
            parts = []  # the phrase is the whole cited line (a dateline "2024-03-14"): said once
        else:
            lead += "\n\n"
            offset = len(lead)
    for i, part in enumerate(parts, start=1):
        # each sentence is the verbatim text of the span it cites: supported by construction
        sentences.append(SentenceSupport(part, offset, offset + len(part), [i], 1.0, True))
        offset += len(part) + len(sep)
    return Draft(
        text=lead + sep.join(parts),
        citations=citations,
        sentences=sentences,
        notes=[Note.info(n) for n in notes],
        short=short,
    )
