"""Of two dated reports that answer a question, the newer is cited first (qa/answer/recency.py):
a fire's 3 July report says 1,200 hectares have burned, its 9 July report 4,850. Real store and
models; what is asserted is which report is cited first, not the reader's words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qa.answer.recency import parse_day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("9 July 2025", date(2025, 7, 9)),
        ("July 9th, 2025", date(2025, 7, 9)),
        ("2025-07-09", date(2025, 7, 9)),
        ("2025-07-09T10:00:00+02:00", date(2025, 7, 9)),
        ("19. Juli 2023", date(2023, 7, 19)),
        ("13/07/2025", date(2025, 7, 13)),  # figures alone: day first
        ("03/07/2025", None),  # 3 July or 7 March
        ("07/07/2025", date(2025, 7, 7)),
        ("July 2025", None),  # no day
        ("2025", None),
    ],
)
def test_a_day_is_read_whole_or_not_at_all(text: str, day: date | None) -> None:
    assert parse_day(text) == day


EARLY = """# Corran Ridge wildfire forces evacuation

Highland Observer, 3 July 2025. By Ailsa MacBride

A wildfire on Corran Ridge has burned about 1,200 hectares of moorland and forestry since
Tuesday afternoon, forcing the evacuation of 600 residents.

Regional fire commander Patrick Nwosu said 140 firefighters were working on the blaze.
"""

LATE = """# Corran Ridge fire contained

Highland Observer, 9 July 2025. By Ailsa MacBride

The wildfire on Corran Ridge was declared contained on Tuesday evening after burning 4,850
hectares, fire commander Patrick Nwosu said, six days after it broke out.

Investigators confirmed that the fire was started by a lightning strike.
"""


def _reports(make_qa, tmp_path: Path, early: str, late: str):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fire-early.md").write_text(early, encoding="utf-8")
    (docs / "fire-late.md").write_text(late, encoding="utf-8")
    qa = make_qa(mode="extractive")
    qa.ingest([docs])
    return qa


def _cited(answer) -> list[str]:
    return [Path(c.path).name for c in answer.citations]


def test_the_newer_report_is_cited_first(make_qa, tmp_path: Path) -> None:
    qa = _reports(make_qa, tmp_path, EARLY, LATE)
    answer = qa.ask("How many hectares has the Corran Ridge fire burned?")
    assert _cited(answer)[:2] == ["fire-late.md", "fire-early.md"]
    assert "4,850" in answer.citations[0].quote and "1,200" in answer.citations[1].quote
    assert answer.short is None or answer.short.citation == 1
    assert any("newer" in n.text for n in answer.notes)


def test_undated_reports_are_not_reordered(make_qa, tmp_path: Path) -> None:
    undated = [r.replace("Highland Observer, ", "Highland Observer. ").split("\n") for r in
               (EARLY, LATE)]  # fmt: skip
    early, late = ("\n".join(line for line in r if "Observer" not in line) for r in undated)
    qa = _reports(make_qa, tmp_path, early, late)
    answer = qa.ask("How many hectares has the Corran Ridge fire burned?")
    assert not any("newer" in n.text for n in answer.notes)


def test_a_question_about_a_time_is_not_answered_by_the_newest(make_qa, tmp_path: Path) -> None:
    qa = _reports(make_qa, tmp_path, EARLY, LATE)
    answer = qa.ask("How many hectares had the Corran Ridge fire burned by 3 July 2025?")
    assert not any("newer" in n.text for n in answer.notes)


def test_an_unrelated_newer_report_does_not_keep_the_newer_one_out(make_qa, tmp_path: Path) -> None:
    """A break-test: a third, newer story's "The death toll is expected to rise." (scored well
    below) was taken for the newest report and the rule gave up."""
    docs_early, docs_late = EARLY, LATE
    qa = _reports(make_qa, tmp_path, docs_early, docs_late)
    other = tmp_path / "docs" / "storm.md"
    other.write_text(
        "# Storm hits Ardmore\n\nArdmore Herald, 20 July 2025.\n\nA storm hit Ardmore on "
        "Sunday. The number of hectares of crops lost is expected to rise.\n",
        encoding="utf-8",
    )
    qa.ingest([tmp_path / "docs"])
    answer = qa.ask("How many hectares has the Corran Ridge fire burned?")
    assert _cited(answer)[:2] == ["fire-late.md", "fire-early.md"]


def test_a_question_for_the_first_report_is_left_alone(make_qa, tmp_path: Path) -> None:
    qa = _reports(make_qa, tmp_path, EARLY, LATE)
    answer = qa.ask("How many hectares had the Corran Ridge fire first burned?")
    assert not any("newer" in n.text for n in answer.notes)
