"""What another text extractor does to a passage: a deterministic re-extraction for tests.

``reextract`` hard-wraps the passage into lines, hyphenates long words across line ends
("magne-\\nsium"), writes the ligatures ``ﬁ``/``ﬂ``, curly quotes and em dashes, doubles some
spaces and, when asked, drops some spaces between words (a PDF extractor that misses the gap
between two glyph runs) or mistypes some letters (OCR).
"""

from __future__ import annotations

import random

__all__ = ["reextract"]

_LIGATURES = (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("fi", "ﬁ"), ("fl", "ﬂ"), ("ff", "ﬀ"))


def _typeset(word: str, state: dict[str, bool]) -> str:
    for plain, ligature in _LIGATURES:
        word = word.replace(plain, ligature)
    out = []
    for ch in word:
        if ch == '"':
            out.append("”" if state["open"] else "“")
            state["open"] = not state["open"]
        elif ch == "'":
            out.append("’")
        else:
            out.append(ch)
    word = "".join(out)
    return "—" if word in ("-", "--") else word


def _split_point(word: str, rng: random.Random) -> int | None:
    """Where to hyphenate ``word`` (a letter on both sides), or None."""
    points = [k for k in range(3, len(word) - 2) if word[k - 1].isalpha() and word[k].isalpha()]
    return rng.choice(points) if points else None


def reextract(
    text: str,
    *,
    width: int = 60,
    seed: int = 0,
    drop_spaces: float = 0.0,
    typos: float = 0.0,
) -> str:
    """``text`` as another extractor might have written it (see the module docstring).

    ``drop_spaces``: the share of word gaps lost; ``typos``: the share of letters replaced.
    """
    rng = random.Random(seed)
    state = {"open": False}
    lines: list[str] = []
    line = ""
    for raw in text.split():
        word = _typeset(raw, state)
        if typos:
            word = "".join(
                rng.choice("acemnorsuv") if ch.isalpha() and rng.random() < typos else ch
                for ch in word
            )
        if line and len(line) + 1 + len(word) > width:
            k = _split_point(word, rng) if len(word) >= 8 and rng.random() < 0.6 else None
            if k is not None:
                lines.append(f"{line} {word[:k]}-")
                line = word[k:]
            else:
                lines.append(line)
                line = word
            continue
        if not line:
            line = word
        elif rng.random() < drop_spaces:
            line += word
        else:
            line += ("  " if rng.random() < 0.1 else " ") + word
    lines.append(line)
    return "\n".join(lines)
