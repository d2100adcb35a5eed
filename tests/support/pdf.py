"""Small PDFs made byte by byte for tests (no PDF writer is a dependency).

Lines are set in Helvetica with an encoding whose upper codes are the ligature glyphs, so text
written with ``ﬀ ﬁ ﬂ ﬃ ﬄ`` comes back from a PDF reader as those ligature characters, as it
does from PDFs typeset by TeX or InDesign, and ``\uf001 \uf002`` as those private-use
characters, as from a PDF Chromium printed.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["make_pdf"]

# and the private-use code points some fonts give fi and fl (U+F001, U+F002)
_LIGATURES = {
    "ﬀ": 0x80, "ﬁ": 0x81, "ﬂ": 0x82, "ﬃ": 0x83, "ﬄ": 0x84, "\uf001": 0x85, "\uf002": 0x86,
}  # fmt: skip
_ENCODING = (
    b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding "
    b"/Differences [128 /ff /fi /fl /ffi /ffl /uniF001 /uniF002] >>"
)


def _literal(line: str) -> bytes:
    out = bytearray(b"(")
    for char in line:
        code = _LIGATURES.get(char, ord(char))
        if code > 0xFF:
            raise ValueError(f"{char!r} is not in the test font's encoding")
        if char in "()\\":
            out += b"\\"
        if code < 0x20 or code > 0x7E:
            out += b"\\%03o" % code
        else:
            out.append(code)
    return bytes(out + b")")


def make_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with one page per item of ``pages``, each a list of lines set one below the other."""
    n_pages = len(pages)
    font = 3 + 2 * n_pages
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n_pages))
        + b"] /Count %d >>" % n_pages,
    ]
    for i, lines in enumerate(pages):
        content = (
            b"BT /F1 11 Tf 14 TL 50 780 Td\n"
            + b"\n".join(_literal(line) + b" Tj T*" for line in lines)
            + b"\nET"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding %d 0 R >>" % (font + 1)
    )
    objects.append(_ENCODING)
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
