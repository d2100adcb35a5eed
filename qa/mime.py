"""Saved web pages (``.mhtml``, ``.mht``) and e-mails (``.eml``): the part a person reads.

Both are MIME messages, read by the standard library's ``email`` package (RFC 5322 headers,
multipart bodies, quoted-printable and base64 transfer encodings, each part's charset):

- a saved web page ("Save as... single file" in Chrome, Edge, Firefox add-ons, Word) is a
  ``multipart/related`` message whose root part is the page's HTML, its images and style
  sheets the other parts. The root is the part the ``start`` parameter names, else the first
  ``text/html`` part; the page is then read as a ``.html`` file is (trafilatura, main content).
- an e-mail (a newsletter, a forwarded article) is read from its plain-text body, the
  sender's own text version, which is read as a ``.txt`` file is; else from its HTML body.
  Mail layouts are set in tables (a newsletter is one ``<table>`` of a column), which a page
  reader keeps as table rows: the whole letter read as one row of one cell. Attachments are
  not read (a PDF sent with a newsletter is a document of its own), except an e-mail
  forwarded as an attachment when the message's own body is empty: that e-mail is read.

A part's bytes are decoded by its declared charset; a part without one, or one the charset
does not decode, goes through ``qa.decoding.decode`` like any file. Headers give metadata:
``Subject`` the title (a saved page's header is the page's title), ``From`` the author of an
e-mail, ``Date`` its publication date (ISO ``YYYY-MM-DD``).
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

from qa.decoding import decode

__all__ = ["MimeBody", "read_mime"]

# (kind of body, its text, metadata): "html" to be read as a page, "plain" as a .txt file
MimeBody = tuple[Literal["html", "plain"], str, dict[str, Any]]


def read_mime(path: Path) -> MimeBody:
    """The body a person reads in the ``.mhtml``/``.mht``/``.eml`` file at ``path`` (module
    doc), with its kind and the header metadata (``title``, and for an e-mail ``author`` and
    ``published``). Raises ValueError, with a reason a person can act on, for a file that is
    no MIME message or has no readable text part."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("no text (an empty file)")
    if b"\x00" in data[:4096]:
        raise ValueError("binary content (not a saved page or an e-mail)")
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise ValueError("not a MIME message (no headers: not a saved page or an e-mail)")
    page = path.suffix.lower() in (".mhtml", ".mht")
    if not page:
        message = _forwarded(message)
    part = _root_page(message) if page else _mail_body(message)
    if part is None:
        wanted = "HTML page" if page else "text body"
        raise ValueError(f"no {wanted} in the message (only attachments or images)")
    meta: dict[str, Any] = {}
    subject = " ".join(str(message.get("Subject", "")).split())
    if subject:
        meta["title"] = subject
    if not page:
        sender = message.get("From")
        if sender is not None:
            addresses = getattr(sender, "addresses", ())
            name = addresses[0].display_name if addresses else ""
            if name or str(sender).strip():
                meta["author"] = name or str(sender).strip()
        if published := _date(message.get("Date")):
            meta["published"] = published
    kind: Literal["html", "plain"] = "html" if part.get_content_type() == "text/html" else "plain"
    return kind, _text(part), meta


def _root_page(message: EmailMessage) -> EmailMessage | None:
    """The HTML part a saved page opens with: the one ``start`` names, else the first."""
    if not message.is_multipart():
        return message if message.get_content_type() == "text/html" else None
    start = str(message.get_param("start", "") or "").strip("<>")
    pages = [p for p in message.walk() if p.get_content_type() == "text/html"]
    if start:
        for part in pages:
            if str(part.get("Content-ID", "")).strip("<>") == start:
                return part
    return pages[0] if pages else None


def _forwarded(message: EmailMessage) -> EmailMessage:
    """The message to read: ``message``, or, when its own body is empty, the e-mail it
    forwards as an attachment (``message/rfc822``), whose headers are then the article's."""
    body = _mail_body(message)
    if body is not None and _text(body).strip():
        return message
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            if isinstance(inner, EmailMessage):
                return _forwarded(inner)
    return message


def _mail_body(message: EmailMessage) -> EmailMessage | None:
    """The body to read: plain text over HTML (module doc), attachments left out."""
    body = message.get_body(preferencelist=("plain", "html"))
    return body if isinstance(body, EmailMessage) else None


def _text(part: EmailMessage) -> str:
    """The part's text: its payload (transfer encoding undone) in its declared charset, else
    decoded as any file is."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset()
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: read as a file without one is
    return decode(data)


def _date(value: Any) -> str | None:
    """An RFC 5322 ``Date`` header as ``YYYY-MM-DD`` (None when absent or unreadable)."""
    if value is None:
        return None
    try:
        return parsedate_to_datetime(str(value)).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None
