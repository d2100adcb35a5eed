"""Unit tests of citation verification (qa/answer/verify.py) on hand-made sources."""

from __future__ import annotations

import pytest

from qa.answer.base import ABSTAIN_TEXT
from qa.answer.verify import Verifier, marker_ids, numbers, preview, split_sentences
from qa.types import Hit, Note, Sentence

DOC = (
    "Acme Corp opened a plant in Ohio on Monday. The plant will employ 300 people. "
    "It cost $40 million to build. "
    "Globex announced it will cut 200 jobs in March. Shares fell 4% after the news."
)


def sentence_spans(text: str, start: int, end: int) -> list[list[int]]:
    spans, pos = [], start
    for part in text[start:end].split(". "):
        s = text.index(part, pos)
        e = s + len(part) + (0 if part.endswith(".") else 1)
        spans.append([s, min(e, end)])
        pos = e
    return spans


def hit(start: int, end: int) -> Hit:
    return Hit(
        chunk_id=f"c{start}",
        doc_id="d1",
        title="News",
        path="news.md",
        start=start,
        end=end,
        text=DOC[start:end],
        score=1.0,
        version="v",
        sentences=[Sentence(f"s{a}", a, b) for a, b in sentence_spans(DOC, start, end)],
    )


ACME = hit(0, DOC.index("Globex") - 1)
GLOBEX = hit(DOC.index("Globex"), len(DOC))


@pytest.fixture(scope="module")
def verifier(embedder):
    return Verifier(embedder.embed, threshold=0.5)


def quote(c) -> str:
    return DOC[c.start : c.end]


def test_split_sentences_keeps_markers_with_their_sentence():
    text = (
        "Acme grew in the U.S. last year [1]. It hired 300 people.[2] Shares rose [1, 2]\nNext [3]"
    )
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == [
        "Acme grew in the U.S. last year [1].",
        "It hired 300 people.[2]",
        "Shares rose [1, 2]",
        "Next [3]",
    ]
    assert marker_ids("Shares rose [1, 2][1] [3]") == [1, 2, 3]
    assert numbers("$40 million, 200,000 mt, 7.0 and 4%") == {"40", "200000", "7", "4"}


def test_citation_narrowed_to_the_supporting_sentence(verifier):
    draft = verifier.verify("The plant will employ 300 people [1].", [ACME, GLOBEX])
    (c,) = draft.citations
    assert quote(c) == c.quote == "The plant will employ 300 people."
    assert draft.sentences[0].supported and draft.sentences[0].score > 0.8


def test_neighbouring_sentence_added_when_the_claim_spans_two(verifier):
    draft = verifier.verify("Acme's Ohio plant will employ 300 people [1].", [ACME])
    (c,) = draft.citations
    assert (
        c.quote == "Acme Corp opened a plant in Ohio on Monday. The plant will employ 300 people."
    )


def test_citations_renumbered_in_order_of_first_use(verifier):
    raw = (
        "Globex will cut 200 jobs in March [2]. Acme opened a plant in Ohio [1]. "
        "Globex shares fell 4% [2]."
    )
    draft = verifier.verify(raw, [ACME, GLOBEX])
    assert draft.text == (
        "Globex will cut 200 jobs in March [1]. Acme opened a plant in Ohio [2]. "
        "Globex shares fell 4% [3]."
    )
    assert [c.quote for c in draft.citations] == [
        "Globex announced it will cut 200 jobs in March.",
        "Acme Corp opened a plant in Ohio on Monday.",
        # "Globex" is not in the 4% sentence: the one before it, which names Globex, joins it
        "Globex announced it will cut 200 jobs in March. Shares fell 4% after the news.",
    ]
    assert [s.citations for s in draft.sentences] == [[1], [2], [3]]


def test_same_span_cited_twice_shares_one_id(verifier):
    draft = verifier.verify(
        "Globex will cut 200 jobs [2]. The cuts come in March [2].", [ACME, GLOBEX]
    )
    assert len(draft.citations) == 1 and draft.text.count("[1]") == 2


def test_marker_to_no_source_removed_and_counted(verifier):
    draft = verifier.verify(
        "Globex will cut 200 jobs [2][7]. Acme cost $40 million [9].", [ACME, GLOBEX]
    )
    assert "[7]" not in draft.text and "[9]" not in draft.text
    assert draft.text.startswith("Globex will cut 200 jobs [1].")
    assert any(
        "removed 2 citation markers pointing to no source: [7], [9]" in n.text
        for n in draft.notes
        if n.level == "warning"
    )
    # a marker to no source is no citation, but the sentence is still checked against every
    # source: "It cost $40 million to build." backs it
    assert [s.supported for s in draft.sentences] == [True, True]
    assert draft.text.endswith("Acme cost $40 million [2].")
    assert draft.citations[1].quote == "It cost $40 million to build."


def test_wrong_number_is_unsupported_even_when_similar(verifier):
    draft = verifier.verify(
        "Acme built the plant [1]. The plant will employ 500 people [1].", [ACME]
    )
    assert [s.supported for s in draft.sentences] == [True, False]
    assert draft.sentences[1].citations == [] and "[" not in draft.sentences[1].text


def test_cited_source_that_does_not_back_the_claim_is_dropped(verifier):
    draft = verifier.verify("Globex will cut 200 jobs in March [1][2].", [ACME, GLOBEX])
    assert draft.text == "Globex will cut 200 jobs in March [1]."
    assert draft.citations[0].quote.startswith("Globex")


def test_abstention_sentence_anywhere_abstains(verifier):
    for raw in (ABSTAIN_TEXT, f"ABSTAIN: {ABSTAIN_TEXT}", f"Acme grew [1]. {ABSTAIN_TEXT}"):
        draft = verifier.verify(raw, [ACME])
        assert draft.abstained and draft.citations == [] and draft.text == ABSTAIN_TEXT
        assert draft.notes[0] == Note.info("the model abstained")


def test_nothing_supported_is_withheld(verifier):
    draft = verifier.verify("PWNED", [ACME, GLOBEX])
    assert draft.abstained and draft.citations == []
    assert any("withheld" in n.text and "PWNED" in n.text for n in draft.notes if n.is_warning)


def test_sentence_offsets_index_the_final_text(verifier):
    draft = verifier.verify(
        "Globex cuts 200 jobs [2][5].  Acme employs 300 people [1].", [ACME, GLOBEX]
    )
    for s in draft.sentences:
        assert draft.text[s.start : s.end] == s.text


def test_preview_numbers_markers_and_holds_back_partial_ones():
    assert preview("Globex cut jobs [2]. Acme grew [1", 2) == "Globex cut jobs [1]. Acme grew"
    assert preview("Globex cut jobs [9] ", 2) == "Globex cut jobs"
    assert preview("Globex cut jobs [9] and", 2) == "Globex cut jobs and"
    assert preview("Globex cut jobs [1] [2", 2) == "Globex cut jobs [1]"
    assert preview("Globex cut jobs [1] [2].", 2) == "Globex cut jobs [1][2]."
