"""Saved web pages (``.mhtml``, ``.mht``) and e-mails (``.eml``): the parts a person reads.

Both are MIME messages, read by the standard library's ``email`` package (RFC 5322 headers,
multipart bodies, quoted-printable and base64 transfer encodings, each part's charset):

- a saved web page ("Save as... single file" in Chrome, Edge, Firefox add-ons, Word) is a
  ``multipart/related`` message whose root part is the page's HTML (or XHTML), its images and
  style sheets the other parts. The root is the part the ``start`` parameter names, else the
  first HTML part; the page is then read as a ``.html`` file is (trafilatura, main content).
- an e-mail (a newsletter, a forwarded article) has its text in a plain-text body, an HTML
  body, or both (alternatives of one text); a mail program may split it around an inline
  image into several parts of one kind. All inline parts of each kind are given, in order;
  the reader keeps the fuller of the two readings (``qa.documents``): a marketing
  newsletter's plain part may be a stub ("To view this email as a web page..."), a mail
  program's HTML part a layout the page reader prunes. Attachments are not read (a PDF sent
  with a newsletter is a document of its own), except an e-mail forwarded as an attachment
  when the message's own body is empty: that e-mail is read, with its headers.

A part's bytes are decoded by its declared charset, read as the WHATWG Encoding Standard
reads labels, as browsers and mail programs do ("iso-8859-1" and "us-ascii" are
windows-1252, "gb2312" is GBK); an HTML part with no charset parameter by its ``<meta>``
charset, which a saved page keeps; else, or when the charset does not decode the bytes, as
any file is (``qa.decoding``). Headers give metadata: ``Subject`` the title (a saved page's
is the page's title), and for an e-mail ``From`` the author and ``Date`` the publication day
(ISO ``YYYY-MM-DD``), unless the subject says the message forwards another ("Fwd:",
"WG:"...): then the sender and day are the forwarder's, not the article's.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from qa.decoding import decode

__all__ = ["MimeBody", "read_mime"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# a subject that forwards another message, in the languages of common mail programs
_FORWARD = re.compile(r"^\s*(fwd?|fw|wg|tr|rv|vs|doorst|i|enc|rif)\s*:", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.I)
# WHATWG Encoding Standard: labels browsers read as a wider encoding (by Python codec name)
_WHATWG = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "gb2312": "gbk",
    "euc_kr": "cp949",
}


@dataclass
class MimeBody:
    """What a message gives to read: its HTML and plain-text parts (each list in order), and
    header metadata (``title``; for an e-mail ``author``, ``published``)."""

    html: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def read_mime(path: Path) -> list[MimeBody]:
    """The parts a person reads in the ``.mhtml``/``.mht``/``.eml`` file at ``path`` (module
    doc): one message's, or each message's of a mailbox saved under an ``.eml`` name (an
    mbox: messages after "From " lines). Raises ValueError, with a reason a person can act
    on, for a file that is no MIME message or has no readable text part."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("no text (an empty file)")
    if b"\x00" in data[:4096]:
        raise ValueError("binary content (not a saved page or an e-mail)")
    page = path.suffix.lower() in (".mhtml", ".mht")
    if not page and data.startswith(b"From ") and b"\nFrom " in data:
        import mailbox

        # each message's bytes as stored (after its "From " line), parsed once, below
        box = mailbox.mbox(str(path), create=False)
        return [_read_message(box.get_bytes(key), page=False) for key in box.iterkeys()]
    return [_read_message(data, page=page)]


def _read_message(data: bytes, *, page: bool) -> MimeBody:
    """One message's parts to read and metadata (``read_mime``)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("not a MIME message (no headers: not a saved page or an e-mail)")
    body = MimeBody()
    if page:
        root = _root_page(message)
        if root is not None:
            body.html.append(_text(root))
    else:
        message, parts = _forwarded(message)
        for part, text in parts:
            kind = body.html if part.get_content_type() in _HTML_TYPES else body.plain
            kind.append(text)
    if not any(t.strip() for t in body.html + body.plain):
        wanted = "HTML page" if page else "text body"
        raise ValueError(f"no {wanted} in the message (only attachments or images)")
    subject = _header(message, "Subject")
    if subject:
        body.meta["title"] = subject
    if not page and not _FORWARD.match(subject):
        addresses = getattr(message.get("From"), "addresses", ())
        name = _unescaped(addresses[0].display_name) if addresses else ""
        if author := name or _header(message, "From"):
            body.meta["author"] = author
        if published := _date(message.get("Date")):
            body.meta["published"] = published
    return body


def _root_page(message: EmailMessage) -> EmailMessage | None:
    """The HTML part a saved page opens with: the one ``start`` names, else the first."""
    if not message.is_multipart():
        return message if message.get_content_type() in _HTML_TYPES else None
    start = str(message.get_param("start", "") or "").strip("<>")
    pages = [p for p in message.walk() if p.get_content_type() in _HTML_TYPES]
    if start:
        for part in pages:
            if str(part.get("Content-ID", "")).strip("<>") == start:
                return part
    return pages[0] if pages else None


def _forwarded(
    message: EmailMessage,
) -> tuple[EmailMessage, list[tuple[EmailMessage, str]]]:
    """The message to read and its inline parts with their text: ``message``, or, when its
    own body is empty, the e-mail it forwards as an attachment (``message/rfc822``), whose
    headers are then the article's."""
    parts = [(part, _text(part)) for part in _inline_parts(message)]
    if any(text.strip() for _, text in parts):
        return message, parts
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            if isinstance(inner, EmailMessage):
                return _forwarded(inner)
    return message, parts


def _inline_parts(message: EmailMessage) -> list[EmailMessage]:
    """The message's text parts shown in its body, in order: plain and HTML, not those of an
    attachment or of a message it forwards as one."""
    if not message.is_multipart():
        kind = message.get_content_type()
        return [message] if kind == "text/plain" or kind in _HTML_TYPES else []
    found: list[EmailMessage] = []
    for part in message.iter_parts():
        if not isinstance(part, EmailMessage) or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_maintype() == "multipart":
            found += _inline_parts(part)
        elif part.get_content_type() == "text/plain" or part.get_content_type() in _HTML_TYPES:
            found.append(part)
    return found


def _text(part: EmailMessage) -> str:
    """The part's text: its payload (transfer encoding undone) in its declared charset (an
    HTML part's ``<meta>`` one when it declares none), else decoded as any file is."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset()
    if not charset and part.get_content_type() in _HTML_TYPES:
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    if charset:
        for encoding in _readings(charset):
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue  # a wrong or unknown label: read as a file without one is
    return decode(data)


def _readings(label: str) -> list[str]:
    """The codecs to try for a charset label: the WHATWG reading first, then the label."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return []
    return [_WHATWG[name], name] if name in _WHATWG else [name]


def _header(message: EmailMessage, name: str) -> str:
    """A header's text on one line: its RFC 2047 encoded words decoded, and raw 8-bit bytes
    in it (a header a mail program did not encode) decoded as any file is, read from the raw
    header (the parsed one has them replaced)."""
    from email.header import decode_header, make_header

    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            text = _unescaped(str(raw))
            # an unknown charset in an encoded word: the header as written
            with contextlib.suppress(LookupError, UnicodeError, ValueError):
                text = str(make_header(decode_header(text)))
            return " ".join(text.split())
    return ""


def _unescaped(text: str) -> str:
    """``text`` with the escaped raw bytes of a header (surrogates U+DC80-U+DCFF) decoded."""
    if not re.search("[\udc80-\udcff]", text):
        return text
    try:
        return decode(text.encode("utf-8", "surrogateescape"))
    except (UnicodeError, ValueError):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _date(value: Any) -> str | None:
    """An RFC 5322 ``Date`` header as ``YYYY-MM-DD`` (None when absent or unreadable)."""
    if value is None:
        return None
    try:
        return parsedate_to_datetime(str(value)).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None
