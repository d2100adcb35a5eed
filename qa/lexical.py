"""BM25 over the stored chunks (bm25s), persisted beside the store and kept in sync with it.

The index records a fingerprint of the chunk ids it was built from; a mismatch with the store
(after an ingest, a deletion, or a crash between the two) makes it rebuild from Chroma.

Several processes may save and load it at once: each save writes a new folder of its own
(``index-XXXX``) and then points the file ``CURRENT`` at it with an atomic ``os.replace``, so a
reader loads either the old index or the new one, never half of one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BM25Index", "fingerprint", "terms"]


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# Han, kana and Hangul: scripts written without spaces between words
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def _bigrams(run: re.Match[str]) -> str:
    """A run of CJK characters as its overlapping character pairs, spaced ("第三跑道" ->
    " 第三 三跑 跑道 "): the words of a script without spaces, as Lucene's CJK analyzer
    (CJKBigramFilter) indexes them, so that BM25 matches a word inside a clause."""
    text = run.group()
    return " " + " ".join(text[i : i + 2] for i in range(max(1, len(text) - 1))) + " "


def terms(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed tokens of each text (BM25's own tokenizer); text
    in a CJK script as character pairs (``_bigrams``)."""
    import bm25s

    spaced = [_CJK.sub(_bigrams, t) if _CJK.search(t) else t for t in texts]
    return bm25s.tokenize(
        spaced, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )


def fingerprint(ids: Sequence[str]) -> str:
    """A hash of the sorted chunk ids: equal iff the index covers exactly these chunks (and
    was built with its chunks in content order, ``ChunkStore.all_chunk_texts``, and CJK text
    in character pairs, ``terms``: an index built before either is rebuilt)."""
    digest = hashlib.sha1(b"content-order\ncjk-bigrams\n")
    for i in sorted(ids):
        digest.update(i.encode("utf-8") + b"\n")
    return digest.hexdigest()


class BM25Index:
    """A BM25 index over chunk texts, with document frequencies for term weighting."""

    def __init__(self, ids: list[str], model: object | None, df: dict[str, int], fp: str) -> None:
        self.ids = ids
        self.fingerprint = fp
        self._model = model
        self._df = df

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> BM25Index:
        """Index ``texts`` (one per chunk id)."""
        import bm25s

        model = None
        df: Counter[str] = Counter()
        if ids:
            tokens = terms(texts)
            for toks in tokens:
                df.update(set(toks))
            if df:  # chunks with no term at all ("The", "# t") leave nothing to index
                model = bm25s.BM25()
                model.index(tokens, show_progress=False)
        return cls(list(ids), model, dict(df), fingerprint(ids))

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` and make it the current one, atomically (see the
        module doc); indexes it replaced more than ``KEEP_SECONDS`` ago are deleted."""
        folder.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix="index-", dir=folder))
        if self._model is not None:
            self._model.save(str(new / "bm25"), show_progress=False)  # type: ignore[attr-defined]
        meta = {"ids": self.ids, "df": self._df, "fingerprint": self.fingerprint}
        (new / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        fd, pointer = tempfile.mkstemp(prefix=".CURRENT-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new.name)
        os.replace(pointer, folder / "CURRENT")
        _prune(folder, keep=new.name)

    @classmethod
    def load(cls, folder: Path) -> BM25Index | None:
        """The current index saved in ``folder``, or None when there is none or it is
        unreadable (then the caller rebuilds it from the store)."""
        import bm25s

        try:
            current = folder / (folder / "CURRENT").read_text(encoding="utf-8").strip()
            meta = json.loads((current / "meta.json").read_text(encoding="utf-8"))
            saved = current / "bm25"
            if meta["df"] and not saved.is_dir():  # terms but no model: damaged, rebuild it
                return None
            model = bm25s.BM25.load(str(saved), show_progress=False) if meta["df"] else None
            return cls(meta["ids"], model, meta["df"], meta["fingerprint"])
        except (OSError, ValueError, KeyError):
            return None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` (chunk id, BM25 score) with a positive score, best first."""
        if self._model is None or not self.ids:
            return []
        q = terms([query])
        if not q[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._model.retrieve(q, k=k, show_progress=False)  # type: ignore[attr-defined]
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def knows(self, term: str) -> bool:
        """Whether any indexed chunk holds the stemmed ``term``."""
        return self._df.get(term, 0) > 0

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (unseen terms get the highest)."""
        n = max(1, len(self.ids))
        return math.log(1 + (n - self._df.get(term, 0) + 0.5) / (self._df.get(term, 0) + 0.5))


KEEP_SECONDS = 60.0  # a replaced index stays this long for readers that are still loading it


def _prune(folder: Path, keep: str) -> None:
    """Delete index folders other than ``keep`` not touched for KEEP_SECONDS, and the files of
    the layout before the ``CURRENT`` pointer."""
    now = time.time()
    for entry in folder.iterdir():
        if entry.name == keep or entry.name == "CURRENT":
            continue
        try:
            old = now - entry.stat().st_mtime > KEEP_SECONDS
        except OSError:
            continue
        if entry.name in ("bm25", "meta.json") or old:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
