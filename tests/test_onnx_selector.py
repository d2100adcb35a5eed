"""The answer selector on ONNX Runtime: the same reading as on torch, an export verified by its
pinned hash, and a cold ``qa ask`` that never imports torch."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.answer.selector import (
    SELECTOR_INT8_SHA256,
    SELECTOR_ONNX_SHA256,
    SELECTOR_WEIGHTS,
    AnswerSelector,
    onnx_path,
    selector_input,
)
from qa.errors import ModelIntegrityError
from tests.conftest import CORPUS, ONNX_DIR, ROOT
from tests.support.tamper import flip_byte


@pytest.fixture(scope="module")
def onnx_selector() -> AnswerSelector:
    return AnswerSelector(onnx_dir=ONNX_DIR)


@pytest.fixture(scope="module")
def torch_selector() -> AnswerSelector:
    return AnswerSelector(backend="torch")


def sample_pairs() -> list[tuple[str, str]]:
    """Questions against corpus sentences with and without context, a pair far past the
    selector's 192 word pieces (truncated), accents and CJK, and more pairs than one batch."""
    paragraphs = [
        p.strip()
        for path in sorted(CORPUS.glob("*.md"))
        for p in re.split(r"(?<=[.!?])\s+|\n\n", path.read_text(encoding="utf-8"))
        if len(p.strip()) > 40
    ]
    questions = [
        "How much working capital did Wogen provide to Magrathea?",
        "Which company is building the magnesium plant in Utah?",
        "When will the plant open?",
    ]
    pairs = [
        (question, selector_input(text[:300], previous=paragraphs[n - 1][:200] if n else ""))
        for n, text in enumerate(paragraphs[:20])
        for question in (questions[n % 3], questions[(n + 1) % 3])
    ]
    long = " ".join(paragraphs[:10])
    pairs.append((questions[0], selector_input(long, previous=long)))
    pairs.append(
        ("Ünïcode — café naïve?", "Le café «Ünïcode» coûte 3,50 € — naïve façade; 日本語.")
    )
    return pairs


def test_onnx_reading_equals_the_torch_reading(
    onnx_selector: AnswerSelector, torch_selector: AnswerSelector
) -> None:
    pairs = sample_pairs()
    assert len(pairs) > 32  # two batches
    (onnx_p, onnx_f), (torch_p, torch_f) = (
        onnx_selector.read_pairs(pairs),
        torch_selector.read_pairs(pairs),
    )
    assert onnx_p.shape == torch_p.shape == (len(pairs),)
    assert np.abs(onnx_p - torch_p).max() < 1e-5
    assert onnx_f.shape == torch_f.shape == (len(pairs), 384)
    assert onnx_f.dtype == np.float32
    assert np.abs(onnx_f - torch_f).max() < 1e-4
    # given order back: a pair read alone reads as it did in the sorted batches
    alone_p, alone_f = onnx_selector.read_pairs(pairs[-2:-1])
    assert np.allclose(alone_p, onnx_p[-2:-1], atol=1e-5)
    assert np.allclose(alone_f, onnx_f[-2:-1], atol=1e-4)


def test_onnx_reading_of_no_pairs_is_empty(onnx_selector: AnswerSelector) -> None:
    probabilities, features = onnx_selector.read_pairs([])
    assert probabilities.shape == (0,) and features.shape == (0, 384)


def test_the_export_has_its_pinned_hash_and_a_tampered_one_is_refused(
    onnx_selector: AnswerSelector, tmp_path: Path
) -> None:
    onnx_selector.load()
    shipped = onnx_path(ONNX_DIR)
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == SELECTOR_ONNX_SHA256
    folder = tmp_path / "onnx"
    folder.mkdir()
    copy = onnx_path(folder)
    shutil.copyfile(shipped, copy)
    flip_byte(copy, 1 << 20)
    with pytest.raises(ModelIntegrityError, match=f"expected {SELECTOR_ONNX_SHA256[:8]}"):
        AnswerSelector(onnx_dir=folder).load()


@pytest.mark.slow
def test_the_export_is_made_on_first_use_and_is_byte_reproducible(tmp_path: Path) -> None:
    """A fresh folder: the export is made (in a child process) on first use and has exactly
    the pinned sha256, i.e. the pinned torch reproduces it."""
    folder = tmp_path / "fresh"
    fresh = AnswerSelector(onnx_dir=folder)
    probabilities = fresh.probabilities("Who leads it?", ["Maria Olsen leads the authority."])
    assert hashlib.sha256(onnx_path(folder).read_bytes()).hexdigest() == SELECTOR_ONNX_SHA256
    assert probabilities.shape == (1,) and 0.0 <= float(probabilities[0]) <= 1.0


def test_the_onnx_backend_runs_only_the_shipped_weights(tmp_path: Path) -> None:
    other = tmp_path / "other.safetensors"
    other.write_bytes(SELECTOR_WEIGHTS.read_bytes()[:-8] + b"\x00" * 8)
    with pytest.raises(ModelIntegrityError, match="shipped"):
        AnswerSelector(other, expected_sha256=None, onnx_dir=ONNX_DIR).load()


def test_the_int8_export_is_pinned_and_stays_close_to_fp32(
    onnx_selector: AnswerSelector,
) -> None:
    int8 = AnswerSelector(onnx_dir=ONNX_DIR, quantize=True)
    pairs = sample_pairs()
    (quantised, quantised_features), (fp32, fp32_features) = (
        int8.read_pairs(pairs),
        onnx_selector.read_pairs(pairs),
    )
    digest = hashlib.sha256(onnx_path(ONNX_DIR, int8=True).read_bytes()).hexdigest()
    assert digest == SELECTOR_INT8_SHA256
    # ONNX Runtime's int8 kernels differ by CPU (with AVX512-VNNI or without; figures in
    # CHANGELOG.md), so the bound is on the mean, with a looser one on the worst pair
    difference = np.abs(quantised - fp32)
    assert difference.mean() < 0.03 and difference.max() < 0.2
    assert float(np.corrcoef(quantised_features.ravel(), fp32_features.ravel())[0, 1]) > 0.99


def test_the_backend_setting_reaches_the_reader(make_qa) -> None:
    assert make_qa().answerer("extractive").selector.backend == "onnx"
    reader = make_qa(answer_selector_backend="torch").answerer("extractive")
    assert reader.selector.backend == "torch"
    with pytest.raises(ValueError, match="backend"):
        AnswerSelector(backend="tensorflow")


QUESTION = "How much working capital did Wogen provide to Magrathea?"
# a cold `qa ask --json` as the CLI runs it, reporting afterwards which heavy modules it loaded
PROBE = (
    "import runpy, sys\n"
    f"sys.argv = ['qa', 'ask', '--json', {QUESTION!r}]\n"
    "try:\n"
    "    runpy.run_module('qa', run_name='__main__')\n"
    "finally:\n"
    "    heavy = ['torch', 'sentence_transformers', 'transformers', 'sklearn', 'scipy.stats']\n"
    "    print('LOADED', [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
)


def test_a_cold_ask_on_onnx_never_imports_torch(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("QA_")},
        "QA_HOME": str(tmp_path / "home"),
        "QA_CORPUS_DIR": str(CORPUS),
        "QA_ONNX_DIR": str(ONNX_DIR),
        "PYTHONPATH": str(ROOT),
    }
    ingest = [sys.executable, "-m", "qa", "ingest", "-q"]
    subprocess.run(ingest, env=env, cwd=ROOT, capture_output=True, check=True)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "10 million" in answer["answer"]
    assert answer["citations"]
    loaded = [line for line in done.stderr.splitlines() if line.startswith("LOADED")]
    assert loaded == ["LOADED []"]


def test_pairs_run_in_batches_of_similar_length() -> None:
    from qa.answer.selector import _length_batches

    lengths = [48, 32, 61, 19, 52, 50, 60, 33]
    batches = _length_batches(lengths, size=3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert max(lengths[i] for i in batch) <= 1.25 * min(lengths[i] for i in batch)
    assert [lengths[b[0]] for b in batches] == sorted(lengths[b[0]] for b in batches)
    assert len(_length_batches([40] * 70)) == 3  # equal lengths fill batches of 32
