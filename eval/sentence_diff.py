"""Compare how two builds of qa split documents into sentences.

Usage::

    python eval/sentence_diff.py dump before.json corpus/ other/folder/   # with the old build
    python eval/sentence_diff.py dump after.json corpus/ other/folder/    # with the new one
    python eval/sentence_diff.py compare before.json after.json [--show 8]

``dump`` reads every supported file under the folders as ``qa ingest`` does (``load_file``,
the document's language, ``sentence_spans``) and writes ``{path: [text, [[start, end], ...]]}``
(a file that cannot be read: ``"ERR <name>"``). Run it with the build to measure on the path
(``PYTHONPATH=<worktree>``). ``compare`` prints, for each document whose sentences differ, how
many spans each side has that the other lacks and the new side's spans, then the count of
documents that differ; a changed text is named as such (a reader change, not a splitting one).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.chunking import document_language, sentence_spans
from qa.documents import SUPPORTED_SUFFIXES, load_file


def dump(out: Path, folders: list[Path]) -> int:
    """Write the sentence spans of every supported file under ``folders`` to ``out``; the
    number of files."""
    found: dict[str, object] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            try:
                doc = load_file(path)
            except Exception as exc:  # a file qa refuses is recorded, not fatal
                found[str(path)] = f"ERR {type(exc).__name__}"
                continue
            language = document_language(doc.text[doc.body_start :])
            spans = sentence_spans(doc.text, doc.body_start, None, language)
            found[str(path)] = [doc.text, [list(s) for s in spans]]
    out.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    return len(found)


def compare(before: Path, after: Path, show: int) -> int:
    """Print the documents whose sentences differ; their number."""
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    differing = 0
    for path in sorted(set(old) & set(new)):
        if old[path] == new[path]:
            continue
        differing += 1
        if isinstance(old[path], str) or isinstance(new[path], str) or old[path][0] != new[path][0]:
            print(f"== {path}: the text differs")
            continue
        text = new[path][0]
        was = {tuple(s) for s in old[path][1]}
        now = {tuple(s) for s in new[path][1]}
        print(f"== {path}: {len(was - now)} spans gone, {len(now - was)} new")
        for start, end in sorted(now - was)[:show]:
            print(f"   new: {text[start:end][:200]!r}")
    print(f"{differing} of {len(set(old) & set(new))} documents split differently")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    d = verbs.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("folders", type=Path, nargs="+")
    c = verbs.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    if args.verb == "dump":
        print(f"{dump(args.out, args.folders)} files")
    else:
        compare(args.before, args.after, args.show)


if __name__ == "__main__":
    main()
