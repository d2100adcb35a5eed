"""Data checks for the eval set qa/evaluation/sets/smm-magnesium.json.

Reads only the JSON and the corpus file; no project imports.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"
DATA = json.loads(EVAL_SET.read_text(encoding="utf-8"))
CORPUS_DIR = ROOT / DATA["corpus"]
ARTICLE = CORPUS_DIR / "smm-magnesium-industry-2026-01-15.md"
TEXT = ARTICLE.read_text(encoding="utf-8")

CATEGORIES = {
    "company",
    "amount",
    "date",
    "percentage",
    "place",
    "technology",
    "product",
    "person",
    "publisher",
    "contact",
    "multi_hop",
    "unanswerable",
}
SPLITS = {"dev", "test"}

FACTS = DATA["facts"]
MULTI = DATA["multi_hop"]
UNANS = DATA["unanswerable"]
FACT_QUESTIONS = [q for f in FACTS for q in f["questions"]]
ALL_QUESTIONS = FACT_QUESTIONS + MULTI + UNANS

EVIDENCE = sorted(
    {q for f in FACTS for q in f["evidence"]} | {q for m in MULTI for q in m["evidence"]}
)


def _section_of(pos: int) -> int:
    """Index of the Markdown section (count of '## ' headings before pos)."""
    return TEXT.count("\n## ", 0, pos)


def test_top_level_shape():
    assert DATA["name"] == "smm-magnesium"
    assert DATA["description"].strip()
    assert CORPUS_DIR.is_dir()
    assert ARTICLE.is_file()


@pytest.mark.parametrize("quote", EVIDENCE)
def test_evidence_quote_is_verbatim_in_corpus(quote):
    assert quote.strip() == quote and quote, "evidence must be a non-empty, trimmed quote"
    assert quote in TEXT, f"evidence quote not found verbatim in {ARTICLE.name}: {quote!r}"
    assert "\n" not in quote
    assert len(quote) <= 250, "evidence quotes should be short (a sentence or clause)"


def test_evidence_is_from_article_body_not_front_matter():
    body_start = TEXT.index("\n---\n", 3) + len("\n---\n")
    for quote in EVIDENCE:
        assert TEXT.find(quote, body_start) != -1, quote


@pytest.mark.parametrize("fact", FACTS, ids=[f["id"] for f in FACTS])
def test_fact_answers_appear_in_evidence(fact):
    assert fact["statement"].strip() and "\n" not in fact["statement"]
    assert fact["evidence"], "fact needs at least one evidence quote"
    assert fact["answers"], "fact needs at least one accepted answer"
    lowered = [q.lower() for q in fact["evidence"]]
    for answer in fact["answers"]:
        assert answer.strip() == answer and answer
        assert any(answer.lower() in q for q in lowered), (
            f"{fact['id']}: answer {answer!r} does not appear in its evidence"
        )


@pytest.mark.parametrize("fact", FACTS, ids=[f["id"] for f in FACTS])
def test_fact_question_styles(fact):
    qs = fact["questions"]
    styles = Counter(q["style"] for q in qs)
    assert len(qs) >= 3
    assert styles["close"] >= 1
    assert styles["paraphrase"] >= 2
    assert set(styles) <= {"close", "paraphrase"}
    assert fact["category"] in CATEGORIES - {"multi_hop", "unanswerable"}
    for q in qs:
        assert q["category"] == fact["category"], q["id"]
        assert q["id"].startswith(fact["id"] + "-"), q["id"]


@pytest.mark.parametrize("item", MULTI, ids=[m["id"] for m in MULTI])
def test_multi_hop_items(item):
    assert item["category"] == "multi_hop"
    assert len(item["evidence"]) >= 2
    for quote in item["evidence"]:
        assert quote in TEXT, quote
    # The evidence must come from at least two different sections of the article.
    sections = {_section_of(TEXT.index(q)) for q in item["evidence"]}
    assert len(sections) >= 2, f"{item['id']}: evidence all from one section"
    answers = item.get("answers_all") or item.get("answers")
    assert answers, f"{item['id']}: needs answers_all or answers"
    lowered = [q.lower() for q in item["evidence"]]
    for answer in item.get("answers_all", []) + item.get("answers", []):
        assert any(answer.lower() in q for q in lowered), (item["id"], answer)


def test_counts():
    assert len(FACTS) >= 30
    assert len(UNANS) >= 15
    assert len(MULTI) >= 5
    for u in UNANS:
        assert u["category"] == "unanswerable"
        assert "answers" not in u and "answers_all" not in u and "evidence" not in u


def test_ids_unique():
    ids = [f["id"] for f in FACTS] + [q["id"] for q in ALL_QUESTIONS]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, dupes
    texts = [q["question"].strip().lower() for q in ALL_QUESTIONS]
    dupes = [t for t, n in Counter(texts).items() if n > 1]
    assert not dupes, dupes


def test_question_fields():
    for q in ALL_QUESTIONS:
        assert q["question"].strip() and "\n" not in q["question"], q["id"]
        assert q["question"].rstrip().endswith(("?", ".")), q["id"]
        assert q["category"] in CATEGORIES, q["id"]
        assert q["split"] in SPLITS, q["id"]


def test_split_share():
    n_test = sum(q["split"] == "test" for q in ALL_QUESTIONS)
    share = n_test / len(ALL_QUESTIONS)
    assert 0.25 <= share <= 0.40, share


def test_every_category_in_both_splits():
    by_cat = Counter(q["category"] for q in ALL_QUESTIONS)
    splits = {(q["category"], q["split"]) for q in ALL_QUESTIONS}
    for cat, n in by_cat.items():
        if n >= 3:
            assert (cat, "dev") in splits, f"{cat} has no dev questions"
            assert (cat, "test") in splits, f"{cat} has no test questions"
