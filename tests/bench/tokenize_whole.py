"""Peak RSS of tokenizing a whole text at once with the embedding model's tokenizer (not a
test): what llama-index's splitter did with a whole document before ingest split long
documents into sections (qa.chunking.SECTION_CHARS).

Run: ``python tests/bench/tokenize_whole.py FILE.txt`` (make FILE with ``big_file.py write``).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("text", type=Path)
    parser.add_argument("--chars", type=int, default=0, help="tokenize pieces of this size")
    args = parser.parse_args()
    from transformers import AutoTokenizer

    from qa.embeddings import bundled_model_path

    tokenizer = AutoTokenizer.from_pretrained(str(bundled_model_path()))
    text = args.text.read_text(encoding="utf-8")
    before = _peak_mb()
    began = time.perf_counter()
    size = args.chars or len(text)
    tokens = sum(
        len(tokenizer(text[i : i + size], add_special_tokens=False, verbose=False)["input_ids"])
        for i in range(0, len(text), size)
    )
    print(
        f"{args.text}: {len(text) / 1e6:.1f} M chars, {tokens} tokens, pieces of {size} chars: "
        f"peak RSS {before} -> {_peak_mb()} MB, {time.perf_counter() - began:.1f} s"
    )


if __name__ == "__main__":
    main()
