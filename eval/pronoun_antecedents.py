"""Measure the reader's reach back over a pronoun: "Who said...?" cited "He said...".

Usage (SQuAD v1.1 *train* only)::

    python eval/pronoun_antecedents.py train-v1.1.json

Taken: every question of the file that asks who or which one (``_WHO``, or the answer type
"name") whose best-matching sentence (most stemmed words shared with the question; the
reader's own choice needs the whole pipeline) opens with a subject pronoun and is not the
paragraph's first. Two groups: *before*, the answer lies in the sentence before it ("Maria
Okafor presented the plan. She said..."), so the reader must reach back; *inside*, the answer
lies in the sentence itself, so reaching back loses it.

Each is read as ``ExtractiveReader._widen_to_antecedents`` reads it (the two sentences as one
passage, the one before them as context) and two choices of the name are compared: the span
reader's best phrase when it lies in the sentence before and is capitalised (``best``, the
first version), and ``extractive.antecedent`` (``shipped``: the best-rated name among the
five best phrases, every word capitalised, agreeing in number with "he"/"she"). Printed per group
and choice: how many were widened and the token F1 against the gold answer (0 for one not
widened).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from squad_train import load_squad_train

from qa.answer import extractive
from qa.answer.answer_types import answer_type
from qa.answer.pronouns import PRONOUNS, opens_with_pronoun
from qa.answer.selector import selector_input
from qa.answer.span import whole_words
from qa.answer.span_reader import SpanReader
from qa.chunking import sentence_spans
from qa.config import Settings
from qa.evaluation.metrics import token_f1
from qa.lexical import terms

Item = tuple[str, str, str, list[tuple[int, int]], int, str]


def items(squad: dict) -> list[Item]:
    """(group, question, paragraph, its sentence spans, the matched sentence, gold answer)."""
    found: list[Item] = []
    for article in squad["data"]:
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            spans = sentence_spans(text)
            words = [set(terms([text[s:e]])[0]) for s, e in spans]
            for qa in paragraph["qas"]:
                question = qa["question"]
                if not (extractive._WHO.match(question) or answer_type(question) == "name"):
                    continue
                asked = set(terms([question])[0])
                k = max(range(len(spans)), key=lambda i: len(asked & words[i]))
                if k == 0 or not opens_with_pronoun(text[spans[k][0] : spans[k][1]]):
                    continue
                gold = qa["answers"][0]
                first, last = gold["answer_start"], gold["answer_start"] + len(gold["text"])
                for group, (s, e) in (("before", spans[k - 1]), ("inside", spans[k])):
                    if s <= first and last <= e:
                        found.append((group, question, text, spans, k, gold["text"]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad_train", type=Path)
    args = parser.parse_args()
    reader = SpanReader(Settings().onnx_models_dir)
    totals: dict[tuple[str, str], list[float]] = {}
    for group, question, text, spans, k, gold in items(load_squad_train(args.squad_train)):
        begin, start, end = spans[k - 1][0], spans[k][0], spans[k][1]
        joined = text[begin:end]
        context = text[spans[k - 2][0] : spans[k - 2][1]] if k >= 2 else ""
        reading = reader.read(question, selector_input(joined, previous=context), len(joined))
        spans = reading.spans
        phrases = [
            (phrase, begin + at)
            for _, at, phrase in extractive._phrases(joined, spans, len(joined.split()))
            if phrase.lower() not in PRONOUNS
        ]
        reaches = bool(phrases) and phrases[0][1] < start
        chosen_span = extractive.antecedent(joined, spans, start - begin)
        shipped = None
        if chosen_span is not None:
            first, last = whole_words(joined, chosen_span.start, chosen_span.end)
            shipped = joined[first:last].strip(" ,;:.")
        chosen = {
            # before: the reader's best phrase, when in the sentence before and capitalised
            "best": phrases[0][0] if reaches and phrases[0][0][:1].isupper() else None,
            "shipped": shipped,  # extractive.antecedent
        }
        for how, phrase in chosen.items():
            row = totals.setdefault((group, how), [0, 0, 0.0])
            row[0] += 1
            row[1] += phrase is not None
            row[2] += token_f1(phrase, gold) if phrase else 0.0
    for (group, how), (n, widened, f1) in sorted(totals.items()):
        print(f"{group:7} {how:9} questions {n:4.0f}  widened {widened:4.0f}  F1 {f1 / n:.3f}")


if __name__ == "__main__":
    main()
