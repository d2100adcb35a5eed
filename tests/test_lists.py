"""A list and the line that introduces it are cited as one span (qa/answer/lists.py): "The new
money will be used to:" answers nothing without its items. Real store, real models; what is
asserted is the citation's extent, not the reader's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.lists import list_end
from qa.documents import load_file
from qa.types import Hit

ARTICLE = """# Quillfeather raises $42 million

LEEDS, 6 May 2025 - Quillfeather, a Leeds-based maker of invoicing software for small
builders, has raised $42 million in a Series B round, its chief executive said on Tuesday.

The new money will be used to:

- expand into Germany and the Netherlands in 2026;
- hire 120 engineers, mostly in Leeds and Lisbon;
- open a sales office in Austin, Texas.

## Where evacuees can go

The council has opened the following rest centres:

1. Lisle Community Hall, Church Street

2. Drummond Academy sports hall,
   on the north side of the town

3. St Fillan's Church, Kilbride Road

Quillfeather has 180 employees and expects to reach 300 by the end of 2026.
"""


def _hit(text: str) -> Hit:
    return Hit("c", "d", "t", "p", 100, 100 + len(text), text, 1.0)


@pytest.mark.parametrize(
    ("lead", "last"),
    [
        ("The new money will be used to:", "Austin, Texas."),
        ("the following rest centres:", "St Fillan's Church, Kilbride Road"),
    ],
)
def test_a_lead_in_reaches_to_its_last_item(lead: str, last: str) -> None:
    hit = _hit(ARTICLE)
    end = 100 + ARTICLE.index(lead) + len(lead)
    got = list_end(hit, end)
    assert got is not None
    items = hit.span_text(end, got)
    assert items.endswith(last)
    assert "Quillfeather has 180" not in items and "## Where" not in items
    assert "north side" in items or "2026;" in items  # a wrapped item stays in the list


@pytest.mark.parametrize(
    "text",
    [
        "Its plans are these: to expand and to hire.\n\n- not a list of this sentence\n",
        "It said the following:\n\nNothing more was planned.\n",
        "A plain sentence.\n\n- an item\n",
    ],
)
def test_no_list_without_a_colon_and_an_item_on_the_next_line(text: str) -> None:
    hit = _hit(text)
    end = 100 + text.index("\n")
    assert list_end(hit, end) is None


@pytest.mark.parametrize(
    "items",
    [
        ["● a junior membership;", "● a family membership."],  # pasted from Word or a PDF
        ["i. a junior membership;", "ii. a family membership;", "iii. a senior one."],
        ["A) a junior membership;", "B) a family membership."],
    ],
)
def test_bullets_and_numbers_as_documents_write_them(items: list[str]) -> None:
    text = "The club offers:\n\n" + "\n".join(items) + "\n\nMore news."
    got = list_end(_hit(text), 100 + text.index(":") + 1)
    assert got is not None and text[: got - 100].endswith(items[-1])


def test_the_passage_that_holds_the_items_is_cited(make_qa, tmp_path: Path) -> None:
    """A lead-in at the end of one chunk was cited alone: the overlapping next chunk holds
    its items (a break-test)."""
    from qa.answer.lists import list_extent

    text = "Parents want:\n\n- longer hours\n- a library"
    cut = Hit("c1", "d", "t", "p", 0, text.index(":") + 1, text[: text.index(":") + 1], 1.0)
    whole = Hit("c2", "d", "t", "p", 0, len(text), text, 1.0)
    end = text.index(":") + 1
    assert list_extent([cut, whole], "d", 0, end) == (whole, len(text))
    assert list_extent([cut], "d", 0, end) is None


def test_a_cut_list_is_cited_as_far_as_the_passage_holds_it() -> None:
    text = "The council opened:\n\n- Lisle Hall\n- Drummond Acad"
    assert list_end(_hit(text), 100 + text.index(":") + 1) == 100 + len(text)


def _answers(make_qa, tmp_path: Path, name: str, text: str, cases: list[tuple[str, list[str]]]):
    """Ingest ``text`` as ``name`` and ask each question of ``cases``; yield the answer and
    the cited quote that holds all the question's expected items (None if none does), every
    citation checked against the stored text."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / name).write_text(text, encoding="utf-8")
    qa = make_qa(mode="extractive")
    qa.ingest([docs])
    stored = load_file(docs / name).text
    for question, items in cases:
        answer = qa.ask(question)
        assert not answer.abstained, question
        assert all(stored[c.start : c.end] == c.quote for c in answer.citations)
        quotes = [c.quote for c in answer.citations if all(i in c.quote for i in items)]
        yield answer, (quotes[0] if quotes else None)


def test_an_answer_from_a_lead_in_cites_its_items(make_qa, tmp_path: Path) -> None:
    cases = [
        ("What will Quillfeather use the new money for?", ["expand into", "Austin, Texas"]),
        ("Which rest centres has the council opened?", ["Lisle Community", "St Fillan"]),
    ]
    for answer, quote in _answers(make_qa, tmp_path, "quillfeather.md", ARTICLE, cases):
        assert quote == answer.citations[0].quote
        assert len(answer.citations) == 1  # the list is the whole answer
        assert answer.short is None or "\n" not in answer.short.text


SPORTS = """Valley Gazette, 21 March 2025.

Sports centre plans

The Valley sports centre will reopen in May after a £3 million refit. The refit adds:

● a 25-metre teaching pool;
● a climbing wall;
● a sports hall with seating for 400.

Members will be offered three types of membership:

i. a junior membership for under-16s;
ii. a family membership for two adults and three children;
iii. an off-peak membership for weekdays before 4pm.
"""


def test_pasted_bullets_roman_numerals_and_a_second_lead_in(make_qa, tmp_path: Path) -> None:
    """A break-test (a .txt pasted from Word): the refit's items, after a sentence that ranks
    first, and a list numbered i., ii., iii. were cited without their items."""
    cases = [
        ("What does the Valley sports centre refit add?", ["teaching pool", "seating for 400"]),
        ("What types of membership will the sports centre offer?", ["junior", "off-peak"]),
    ]
    for answer, quote in _answers(make_qa, tmp_path, "sports_centre.txt", SPORTS, cases):
        assert quote is not None, [c.quote for c in answer.citations]
        # no one item leads as if it were the answer, and no bullet is part of a phrase
        assert answer.short is None or not answer.short.text.startswith("●")
