"""Evidence from another extraction of the same document is located at the right place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.documents import load_documents
from qa.evaluation.align import FUZZY_THRESHOLD, align, normalise
from qa.evaluation.evidence import EvidenceMap, Span, overlap
from qa.evaluation.interop import export_labelled_rag
from qa.evaluation.sets import Evidence, load_set
from tests.conftest import ARTICLE, CORPUS, ROOT, run_cli
from tests.support.reextract import reextract

ARTICLE_SET = ROOT / "qa" / "evaluation" / "sets" / "smm-magnesium.json"
CARD = ROOT / "tests" / "data" / "llama-card.json"


# ---- the normalised form and its offset map -------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "passage", "expected"),
    [
        ("The infra-\nstructure works.", "the infrastructure works", "The infra-\nstructure works"),
        ("A ﬁnancial ﬂow.", "A financial flow", "A ﬁnancial ﬂow"),
        ("He said “don’t go” — then left.", 'said "don\'t go" - then', "said “don’t go” — then"),
        (
            "mag\u00adnesium  output\n\n grew",
            "magnesium output grew",
            "mag\u00adnesium  output\n\n grew",
        ),
        ("Ce\u0301sar left", "César left", "Ce\u0301sar left"),
        ("a well-known firm", "a wellknown firm", "a well-known firm"),
    ],
)
def test_normalised_alignment_maps_back_to_exact_offsets(stored, passage, expected):
    found, _ = align(passage, stored)
    assert [a.how for a in found] == ["normalised"]
    assert stored[found[0].start : found[0].end] == expected


def test_the_normalised_form_keeps_word_boundaries():
    assert normalise("“Thus,”  it’s\nfine…").text == "thus it s fine"
    found, _ = align("us", "Thus it is.")  # not inside another word
    assert found == []


def test_fuzzy_alignment_of_a_re_extracted_passage_maps_to_the_stored_span():
    text = ARTICLE.read_text(encoding="utf-8")
    start = text.index("US emerging magnesium producer")
    original = text[start : start + 400]
    passage = reextract(original, drop_spaces=0.1, seed=3)
    found, score = align(passage, text)
    assert [a.how for a in found] == ["fuzzy"] and found[0].score >= FUZZY_THRESHOLD
    assert score == found[0].score
    # the located span is the original passage, give or take a word at either end
    shared = overlap(Span("d", found[0].start, found[0].end), Span("d", start, start + 400))
    assert shared >= 0.95 * 400


def test_a_near_miss_below_the_threshold_is_not_found():
    documents, _ = load_documents([CORPUS])
    text = documents[0].text
    start = text.index("US emerging magnesium producer")
    original = text[start : start + 300]
    near_miss = reextract(original, typos=0.12, seed=5)  # one letter in eight mistyped
    strict = EvidenceMap(documents).locate(Evidence(near_miss))
    assert strict.how == "not found" and strict.spans == []
    assert strict.best_score is not None and 50 < strict.best_score < FUZZY_THRESHOLD
    loose = EvidenceMap(documents, fuzzy_threshold=strict.best_score - 1).locate(
        Evidence(near_miss)
    )
    assert loose.how == "fuzzy" and loose.score == strict.best_score
    assert overlap(loose.spans[0], Span(documents[0].doc_id, start, start + 300)) >= 270


def test_a_page_long_context_is_located_in_pieces():
    documents, _ = load_documents([CORPUS])
    doc = documents[0]
    start = doc.body_start + 200
    page = doc.text[start : start + 4000]
    context = reextract(page, width=90, drop_spaces=0.05, seed=11)
    located = EvidenceMap(documents).locate(Evidence(context))
    assert located.how == "fuzzy" and located.score is not None
    assert located.score >= FUZZY_THRESHOLD
    span = located.spans[0]
    assert abs(span.start - start) < 40 and abs(span.end - (start + 4000)) < 40


# ---- the article set, exported and re-extracted ---------------------------------------------


def _published_copy(tmp_path: Path, **reextract_args: float) -> tuple[Path, Path]:
    """The article set exported as a LabelledRagDataset whose contexts were re-extracted (and
    without qa's pinned evidence, as a published set has none); returns (json, sources)."""
    from qa.config import Settings

    eval_set = load_set(ARTICLE_SET, work_dir=Settings().home / "eval-docs")
    target = export_labelled_rag(eval_set, tmp_path / "published")
    data = json.loads(target.read_text(encoding="utf-8"))
    for n, example in enumerate(data["examples"]):
        example["reference_contexts"] = [
            reextract(c, seed=n, **reextract_args) for c in example["reference_contexts"]
        ]
        del example["qa_evidence"]
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return target, target.parent / "source_files"


def test_every_re_extracted_context_of_the_article_set_is_located_at_its_place(tmp_path):
    target, sources = _published_copy(tmp_path, drop_spaces=0.05)
    rewrapped = load_set(target, work_dir=tmp_path)
    original = load_set(ARTICLE_SET, work_dir=tmp_path)
    documents, _ = load_documents([sources])
    truth_documents, _ = load_documents([CORPUS])
    found, truth = EvidenceMap(documents), EvidenceMap(truth_documents)
    ways: dict[str, int] = {}
    changed = 0
    for q, q0 in zip(rewrapped.questions, original.questions, strict=True):
        assert q.id == q0.id
        for item, item0 in zip(q.evidence, q0.evidence, strict=True):
            changed += item.quote != item0.quote
            located = found.locate(item)
            ways[located.how] = ways.get(located.how, 0) + 1
            expected = truth.spans(item0)
            assert located.spans, (q.id, item.quote)
            for span in located.spans:  # each place found is one of the quote's true places
                same_doc = Span(expected[0].doc_id, span.start, span.end)
                assert any(overlap(same_doc, e) >= 0.8 * len(e) for e in expected), (q.id, span)
    assert changed >= 0.75 * sum(ways.values())  # most contexts were re-extracted
    assert ways.get("not found", 0) == 0
    assert ways.get("normalised", 0) > 0 and ways.get("fuzzy", 0) > 0, ways


def test_cli_eval_of_a_re_extracted_published_set_scores_nearly_every_question(tmp_path):
    target, sources = _published_copy(tmp_path, drop_spaces=0.05)
    (target.parent / "card.json").write_text(CARD.read_text("utf-8"), encoding="utf-8")
    out = tmp_path / "run"
    done = run_cli(
        "eval", "--set", str(target), "--docs", str(sources), "--limit", "45", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    terminal = " ".join(done.stdout.split())
    assert re.search(r"evidence located for \d+ answerable question\(s\): \d+ exact", terminal)
    assert "published baseline" in terminal
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    overall = results["summary"]["overall"]
    counts = overall["located_by"]
    located = counts["exact"] + counts["normalised"] + counts["fuzzy"]
    assert counts["not found"] <= 0.02 * overall["answerable"] and located > 0
    assert counts["normalised"] > 0 and counts["fuzzy"] > 0
    assert overall["evidence_missing"] == counts["not found"]
    for key in ("hit@1", "hit@3", "mrr", "citation_precision", "citation_recall"):
        assert overall[key] is not None, key
    assert overall["hit@5"] >= 0.8  # the same documents, so retrieval is as good as ever
    assert 0.0 < overall["answer_similarity"] <= 1.0
    assert 0.0 < overall["context_similarity"] <= 1.0
    fuzzy = [q for q in results["questions"] if q["located_by"] == "fuzzy"]
    assert all(
        e["score"] >= FUZZY_THRESHOLD
        for q in fuzzy
        for e in q["evidence_located"]
        if e["how"] == "fuzzy"
    )
    assert results["meta"]["published_baselines"][0]["metrics"]["contextSimilarity"] == 0.934
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Evidence located for" in report
    assert "## Against the dataset's published baseline" in report
    assert "| contextSimilarity | llamaindex (chunkSize=1024" in report and "0.934" in report
    assert "## Evidence located other than verbatim" in report


# ---- a PDF read by two different extractors ------------------------------------------------


def _make_pdf(path: Path, paragraphs: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))  # A5, in mm
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for para in paragraphs:
        pdf.multi_cell(0, 5, para)
        pdf.ln(3)
    pdf.output(str(path))


def _paragraphs() -> list[str]:
    """Body paragraphs of the article, in the Latin-1 a core PDF font can set."""
    doc = load_documents([CORPUS])[0][0]
    body = doc.text[doc.body_start :]
    paras = [" ".join(p.split()) for p in body.split("\n\n") if len(p.split()) > 12]
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return [p.translate(table).encode("latin-1", "ignore").decode("latin-1") for p in paras]


def test_contexts_from_one_pdf_reader_are_located_in_the_other_readers_text(tmp_path):
    from pdfminer.high_level import extract_text

    pdf = tmp_path / "docs" / "article.pdf"
    pdf.parent.mkdir()
    _make_pdf(pdf, _paragraphs())
    documents, errors = load_documents([pdf.parent])  # qa's reader (pypdf)
    assert not errors and len(documents) == 1
    stored = documents[0].text
    other = extract_text(str(pdf))  # another reader: pdfminer.six
    pages = [p for p in other.split("\f") if p.strip()]
    assert len(pages) >= 2 and other.strip() != stored.strip()
    evidence_map = EvidenceMap(documents)
    # page-level contexts, as a published dataset has them, and sentence-level ones
    sentences = [s for p in pages for s in re.split(r"(?<=\.)\s+", p) if len(s.split()) > 6]
    previous_start = {"page": -1, "sentence": -1}
    located_sentences = 0
    for kind, context in [("page", p) for p in pages] + [("sentence", s) for s in sentences]:
        located = evidence_map.locate(Evidence(context))
        if kind == "page":  # every page
            assert located.how in ("exact", "normalised", "fuzzy"), context[:80]
        if not located.spans:
            # pdfminer sets some justified lines in another order: such a fragment is not
            # the stored text, and comes near it only below the threshold
            assert located.best_score is None or located.best_score < FUZZY_THRESHOLD
            continue
        located_sentences += kind == "sentence"
        span = max(located.spans, key=len)
        same = normalise(stored[span.start : span.end]).text.replace(" ", "")
        assert same == normalise(context).text.replace(" ", "") or (
            located.how == "fuzzy" and located.score is not None
        )
        assert span.start > previous_start[kind]  # in reading order, page after page
        previous_start[kind] = span.start
    assert located_sentences >= 0.9 * len(sentences)


def test_how_a_question_s_evidence_was_located_any_and_all():
    from qa.evaluation.evidence import Located, located_by

    found = [
        Located(Evidence("a"), [Span("d", 0, 1)], "fuzzy", 93.0),
        Located(Evidence("b"), [Span("d", 5, 6)], "normalised"),
        Located(Evidence("c"), [], "not found", best_score=71.0),
    ]
    assert located_by(found[:2], "any") == "normalised"  # the best alternative
    assert located_by(found[:2], "all") == "fuzzy"  # the weakest of those needed
    assert located_by(found, "all") == "not found"
    assert located_by(found[2:], "any") == "not found"
    near_miss = {"how": "not found", "score": None, "best_score": 71.0, "spans": []}
    assert found[2].to_dict() == near_miss
