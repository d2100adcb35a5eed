"""Checks an LLM's answer against its sources: markers, narrowed spans, per-sentence support.

The model writes sentences with ``[n]`` markers that point at numbered sources (retrieved
chunks). Verification:

1. splits the answer into sentences (a marker after the final punctuation stays with its
   sentence) and reads each sentence's markers; ``[n, m]`` counts as ``[n][m]``;
2. removes markers that point at no source and counts them in the notes;
3. narrows each cited source to the sentence span inside it that best supports the claim
   (a neighbouring sentence is added while it brings claim words or numbers the span lacks);
4. scores each answer sentence: embedding similarity to the span plus the share of its content
   words and numbers found in it (``support``); a sentence is supported when its best cited
   span scores at least the threshold and holds every number the sentence states. An
   unsupported sentence is flagged and loses its markers: a citation always backs its claim;
5. renumbers citations 1..n in order of first use, one per distinct span, so every ``[n]`` in
   the text has a citation and every citation is referred to.

The abstention sentence anywhere in the answer makes it an abstention (no citations). An
answer of which no sentence is supported is withheld: the product answers with the abstention
text and says why in the notes (an injected "answer 'PWNED'" ends here, not in front of the
user). Partly supported answers are kept, with the unsupported sentences flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qa.answer.base import ABSTAIN_TEXT, Draft
from qa.answer.citations import cite
from qa.answer.injection import addresses_the_model
from qa.chunking import sentence_spans
from qa.lexical import terms
from qa.types import Citation, Hit, Note, SentenceSupport

__all__ = [
    "W_EMBED",
    "W_LEXICAL",
    "Span",
    "Verifier",
    "numbers",
    "preview",
    "rewrite_markers",
    "split_sentences",
    "strip_markers",
]

W_EMBED, W_LEXICAL = 0.5, 0.5
MAX_SPAN_SENTENCES = 3
MIN_ATTRIBUTED_TERMS = 3  # content words and numbers a sentence needs to be attributed unmarked

# a marker as a model may write it (qa's own are citations.MARKER), with the blanks before it:
# "[3]", " [1, 2]", "[1;4]"
MARK = re.compile(r"[ \t]*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
# a run of markers, "[1] [2][3]", with the blanks before it
_RUN = re.compile(
    r"[ \t]*(?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])(?:[ \t]*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])*"
)
_OPEN_MARK = re.compile(r"\[[\d\s,;]*$")  # a marker still being streamed
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORDS = re.compile(r"[a-z0-9]+")
_CLOSERS = ".!?:;\"'”’)"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``; a line break always ends one.

    Punkt (``qa.chunking.sentence_spans``) finds the sentences; citation markers at the start
    of one ("... in March. [2] Next ...") belong to the sentence before it.
    """
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        lead = _RUN.match(text, start, end)
        if spans and lead and "\n" not in text[spans[-1][1] : start]:
            spans[-1] = (spans[-1][0], lead.end())
            start = lead.end()
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            spans.append((start, end))
    return spans


def strip_markers(text: str) -> str:
    """``text`` without its ``[n]`` markers, blanks tidied."""
    text = MARK.sub("", text)
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def marker_ids(text: str) -> list[int]:
    """The source numbers ``text`` cites, in order, each once."""
    seen: list[int] = []
    for match in MARK.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def rewrite_markers(text: str, mapping: Callable[[int], int | None]) -> str:
    """Each run of markers rewritten as ``[a][b]`` with ``a = mapping(n)`` for each ``[n]`` in
    it (each id once); numbers mapped to None are removed, and a run left empty goes entirely,
    blanks before it included."""

    def replace(match: re.Match[str]) -> str:
        ids: list[int] = []
        for n in _all_ids(match.group(0)):
            new = mapping(n)
            if new is not None and new not in ids:
                ids.append(new)
        if not ids:
            return ""
        run = match.group(0)
        return run[: run.index("[")] + "".join(f"[{i}]" for i in ids)

    return _RUN.sub(replace, text)


def preview(raw: str, n_sources: int) -> str:
    """What to show of a partial answer while it streams.

    Markers are numbered by first use (as verification does when each source supports one
    span), markers pointing at no source are dropped, and a trailing blank or half-written
    marker is held back until the next delta decides it.
    """
    raw = raw.lstrip()
    open_mark = _OPEN_MARK.search(raw)
    if open_mark:
        raw = raw[: open_mark.start()]
    raw = raw.rstrip()
    ids: dict[int, int] = {}

    def mapping(n: int) -> int | None:
        if not 1 <= n <= n_sources:
            return None
        return ids.setdefault(n, len(ids) + 1)

    return rewrite_markers(raw, mapping)


def numbers(text: str) -> set[str]:
    """Numbers in ``text``, normalised ("200,000" -> "200000", "7.0" -> "7")."""
    found = set()
    for match in _NUMBER.finditer(text):
        value = match.group(0).replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add(value)
    return found


def _words(text: str) -> set[str]:
    return {t for t in terms([text])[0] if not t.isdigit()}


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(strip_markers(text).lower()))


@dataclass
class Span:
    """The best-supporting span of one cited source for one answer sentence."""

    hit: Hit
    start: int
    end: int
    score: float
    embed: float
    lexical: float
    missing_numbers: frozenset[str]


@dataclass
class _Candidate:
    start: int
    end: int
    text: str
    vector: np.ndarray
    words: set[str]
    numbers: set[str]
    orders: bool = False  # addresses the model (qa.answer.injection): backs nothing


def _candidate(start: int, end: int, text: str, vector: np.ndarray) -> _Candidate:
    """A source sentence as the verifier scores it; one that gives the model orders keeps its
    span but scores nothing (no vector, words or numbers), so no claim rests on it."""
    if addresses_the_model(text):
        return _Candidate(start, end, text, np.zeros_like(vector), set(), set(), orders=True)
    return _Candidate(start, end, text, vector, _words(text), numbers(text))


class Verifier:
    """Turns a model's raw answer into a verified ``Draft``.

    Args:
        embed: texts -> L2-normalised vectors (the embedding model); source sentences whose
            passage carries no stored vector are embedded with it.
        threshold: a sentence whose best cited span scores below this is unsupported.
        abstain_text: the abstention sentence the prompt asks for.
    """

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        *,
        threshold: float = 0.5,
        abstain_text: str = ABSTAIN_TEXT,
    ) -> None:
        self._embed = embed
        self.threshold = threshold
        self.abstain_text = abstain_text

    # ---- sources ------------------------------------------------------------------------------
    def _candidates(self, hits: dict[int, Hit]) -> dict[int, list[_Candidate]]:
        """The sentences of each cited hit (by source number), with vectors and terms."""
        spans: dict[int, list[tuple[int, int, str, str]]] = {}
        vectors: dict[str, np.ndarray] = {}
        for n, hit in hits.items():
            inside = [s for s in hit.sentences if hit.start <= s.start < s.end <= hit.end]
            vectors.update({s.id: s.vector for s in inside if s.vector is not None})
            spans[n] = [(s.start, s.end, hit.span_text(s.start, s.end), s.id) for s in inside]
            if not inside:  # no sentence spans: the whole chunk is one candidate
                spans[n] = [(hit.start, hit.end, hit.text, hit.chunk_id)]
        missing = sorted(
            {
                (sid, text)
                for items in spans.values()
                for *_, text, sid in items
                if sid not in vectors
            }
        )
        if missing:
            fresh = self._embed([text for _, text in missing])
            vectors = {**vectors, **{sid: v for (sid, _), v in zip(missing, fresh, strict=True)}}
        return {
            n: [_candidate(s, e, text, vectors[sid]) for s, e, text, sid in items]
            for n, items in spans.items()
        }

    def support(
        self, claim: str, vector: np.ndarray, hit: Hit, candidates: list[_Candidate]
    ) -> Span:
        """The span of ``hit`` that best supports ``claim`` (one sentence, or a few in a row)."""
        words, nums = _words(claim), numbers(claim)
        total = len(words) + len(nums)

        def lexical(w: set[str], n: set[str]) -> float:
            return (len(words & w) + len(nums & n)) / total if total else 0.0

        def score(e: float, lex: float) -> float:
            return W_EMBED * max(e, 0.0) + W_LEXICAL * lex

        sims = [float(np.dot(vector, c.vector)) for c in candidates]
        best = max(
            range(len(candidates)),
            key=lambda i: (score(sims[i], lexical(candidates[i].words, candidates[i].numbers)), -i),
        )
        lo = hi = best
        got_w, got_n = set(candidates[best].words), set(candidates[best].numbers)
        while hi - lo + 1 < MAX_SPAN_SENTENCES:  # add neighbours that bring what is missing
            gains = []
            for j in (lo - 1, hi + 1):
                if 0 <= j < len(candidates):
                    c = candidates[j]
                    gain = len((words - got_w) & c.words) + len((nums - got_n) & c.numbers)
                    if gain:
                        gains.append((gain, -abs(j - best), j))
            if not gains:
                break
            j = max(gains)[2]
            lo, hi = min(lo, j), max(hi, j)
            got_w |= candidates[j].words
            got_n |= candidates[j].numbers
        embed = max(sims[lo : hi + 1])
        lex = lexical(got_w, got_n)
        return Span(
            hit,
            candidates[lo].start,
            candidates[hi].end,
            score(embed, lex),
            embed,
            lex,
            frozenset(nums - got_n),
        )

    def _attribute(
        self,
        claim: str,
        vector: np.ndarray,
        marked: list[int],
        hits: dict[int, Hit],
        candidates: dict[int, list[_Candidate]],
    ) -> tuple[dict[int, Span], int, int]:
        """The spans that back ``claim``, by source number: ``(spans, attributed, dropped)``.

        The sources the model marked are tried first (markers are hints); those that do not
        back the claim are dropped (``dropped`` counts them). When none of them does, or the
        sentence has no marker, every retrieved source is scored and the best one that backs
        the claim is taken (``attributed`` = 1). When nothing backs it, the best marked span
        is returned (scored, unsupported) so that the sentence keeps its score. A sentence
        of fewer than ``MIN_ATTRIBUTED_TERMS`` content words and numbers is only checked
        against the sources it marks.
        """
        spans = {n: self.support(claim, vector, hits[n], candidates[n]) for n in marked}
        good = {n: sp for n, sp in spans.items() if self._backs(sp)}
        if good:
            return good, 0, len(spans) - len(good)
        if len(_words(claim)) + len(numbers(claim)) < MIN_ATTRIBUTED_TERMS:
            # "PWNED", "Yes.": too little to find by content; a model that obeyed an injected
            # instruction would otherwise be "supported" by the instruction itself
            return spans, 0, 0
        others = [
            self.support(claim, vector, hits[n], candidates[n]) for n in hits if n not in spans
        ]
        numbered = dict(zip([n for n in hits if n not in spans], others, strict=True))
        backing = {n: sp for n, sp in numbered.items() if self._backs(sp)}
        if backing:
            n, best = max(backing.items(), key=lambda item: (item[1].score, -item[0]))
            return {n: best}, 1, len(spans)
        return spans, 0, 0

    def _backs(self, span: Span) -> bool:
        return span.score >= self.threshold and not span.missing_numbers

    # ---- the answer ---------------------------------------------------------------------------
    def is_abstention(self, raw: str) -> bool:
        """True when ``raw`` contains the abstention sentence."""
        target = _normal(self.abstain_text)
        return bool(target) and target in _normal(raw)

    def verify(self, raw: str, hits: Sequence[Hit]) -> Draft:
        """The verified draft of the model's answer ``raw`` to a prompt built from ``hits``."""
        raw = raw.strip()
        if self.is_abstention(raw):
            notes = [Note.info("the model abstained")]
            if _normal(raw) != _normal(self.abstain_text):
                notes.append(
                    Note.info(f"text besides the abstention sentence was dropped: {raw[:300]!r}")
                )
            return Draft.abstain(*notes)
        by_number = hits_by_number(hits)
        sentences = split_sentences(raw)
        claims = [strip_markers(raw[s:e]) for s, e in sentences]
        cited = [[n for n in marker_ids(raw[s:e]) if n in by_number] for s, e in sentences]
        bad = [n for s, e in sentences for n in _all_ids(raw[s:e]) if n not in by_number]
        looked = any(claims) and bool(by_number)
        candidates = self._candidates(by_number) if looked else {}
        vectors = self._embed(claims) if looked else None

        keys: dict[tuple[str, int, int], int] = {}
        citations: list[Citation] = []
        mappings: list[dict[int, int]] = []  # per sentence: source number -> citation id
        verdicts: list[tuple[float, bool]] = []
        dropped = attributed = 0
        for i, ids in enumerate(cited):
            spans: dict[int, Span] = {}
            if vectors is not None and claims[i]:
                spans, moved, lost = self._attribute(
                    claims[i], vectors[i], ids, by_number, candidates
                )
                attributed += moved
                dropped += lost
            score, ok = 0.0, False
            if spans:
                best = max(spans.values(), key=lambda sp: sp.score)
                missing = frozenset.intersection(*(sp.missing_numbers for sp in spans.values()))
                score, ok = round(best.score, 3), best.score >= self.threshold and not missing
            verdicts.append((score, ok))
            mapping: dict[int, int] = {}
            for n, sp in spans.items() if ok else ():  # a citation backs its sentence, or goes
                key = (sp.hit.doc_id, sp.start, sp.end)
                if key not in keys:
                    keys[key] = len(keys) + 1
                    citations.append(cite(keys[key], sp.hit, sp.start, sp.end))
                mapping[n] = keys[key]
            mappings.append(mapping)

        ordering = sorted(n for n, items in candidates.items() if any(c.orders for c in items))
        orders = (
            [
                Note.warning(
                    "text addressed to the assistant in source(s) "
                    f"{', '.join(f'[{n}]' for n in ordering)} was read as data and backs no "
                    "claim (a prompt injection?)"
                )
            ]
            if ordering
            else []
        )
        if not any(ok for _, ok in verdicts):
            return Draft.abstain(
                Note.warning(
                    "the model's answer was withheld: no sentence of it is supported by a cited "
                    f"source: {raw[:300]!r}"
                ),
                *orders,
            )
        text, supports, cursor = "", [], 0
        for (s, e), mapping, (score, ok) in zip(sentences, mappings, verdicts, strict=True):
            text += raw[cursor:s]
            sentence = _cite_sentence(raw[s:e], mapping)
            ids = sorted(set(mapping.values()))
            supports.append(
                SentenceSupport(sentence, len(text), len(text) + len(sentence), ids, score, ok)
            )
            text += sentence
            cursor = e
        text += raw[cursor:]
        notes = [Note.info(f"support threshold {self.threshold}")]
        if bad:
            shown = ", ".join(f"[{n}]" for n in dict.fromkeys(bad))
            plural = "s" if len(bad) != 1 else ""
            notes.append(
                Note.warning(
                    f"removed {len(bad)} citation marker{plural} pointing to no source: {shown}"
                )
            )
        if attributed:
            notes.append(
                Note.info(
                    f"{attributed} sentence(s) attributed to a source the model did not mark "
                    "for them"
                )
            )
        if dropped:
            notes.append(
                Note.info(
                    f"dropped {dropped} citation(s) of sources that do not back their sentence"
                )
            )
        notes += orders
        flagged = [s for s in supports if not s.supported]
        if flagged:
            notes.append(
                Note.warning(
                    f"{len(flagged)} of {len(supports)} sentences not supported by the sources "
                    "(flagged, their markers removed)"
                )
            )
        return Draft(text=text, citations=citations, notes=notes, sentences=supports)


def _cite_sentence(sentence: str, mapping: dict[int, int]) -> str:
    """``sentence`` with its markers rewritten by ``mapping`` (source number -> citation id);
    a citation the model did not mark (the verifier found it) goes before the final stop."""
    marked = set(_all_ids(sentence))
    text = rewrite_markers(sentence, mapping.get)
    extra = "".join(f"[{c}]" for n, c in mapping.items() if n not in marked)
    if not extra:
        return text
    body = text.rstrip()
    if body.endswith("]"):  # after the markers the model wrote
        return body + extra + text[len(body) :]
    cut = len(body.rstrip(_CLOSERS))
    return body[:cut] + " " + extra + body[cut:] + text[len(body) :]


def _all_ids(text: str) -> list[int]:
    return [int(p) for m in MARK.finditer(text) for p in re.split(r"[,;]", m.group(1))]


def hits_by_number(hits: Sequence[Hit]) -> dict[int, Hit]:
    """Source number (1-based, prompt order) -> hit."""
    return dict(enumerate(hits, start=1))
