"""Load .md, .txt, .html and .pdf files into Documents, with their metadata."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from qa.errors import InvalidPathError, NoDocumentsError
from qa.types import Document

__all__ = [
    "SUPPORTED_SUFFIXES",
    "display_path",
    "doc_id_for",
    "load_documents",
    "load_file",
    "supported_files",
]

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def doc_id_for(path: Path) -> str:
    """A stable id for a file: a hash of its absolute path."""
    return hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]


def display_path(path: Path) -> str:
    """The path relative to the working dir when below it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def _plain(value: Any) -> Any:
    """Front-matter values as JSON/Chroma-friendly scalars."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _parse_front_matter(text: str) -> tuple[dict[str, Any], int]:
    import yaml

    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, 0
    if not isinstance(data, dict):
        return {}, 0
    return {str(k): _plain(v) for k, v in data.items() if v is not None}, match.end()


class _HTMLText(HTMLParser):
    """Visible text of an HTML page, block elements on their own lines, plus title and meta."""

    _BLOCKS: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "table",
    }
    _SKIP: ClassVar[set[str]] = {"script", "style", "noscript", "template"}
    _HEAD_TAGS: ClassVar[set[str]] = {
        "html",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "style",
        "script",
        "noscript",
        "template",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._in_head = False  # ends at </head>, or at a body tag or text: </head> is optional
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            a = {k: v or "" for k, v in attrs}
            key = a.get("name") or a.get("property")
            if key and a.get("content"):
                self.meta[key.split(":")[-1].lower()] = a["content"]
        if tag == "head":
            self._in_head = True
        elif tag not in self._HEAD_TAGS:  # </head> is optional: any body tag ends the head
            self._in_head = False
        if tag in self._SKIP:
            self._skip += 1
        if tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "head":
            self._in_head = False
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._in_head and data.strip() and not self._skip:
            self._in_head = False  # text outside any head element starts the body, as in browsers
        if not self._skip and not self._in_head:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _load_html(raw: str) -> tuple[str, dict[str, Any]]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    meta: dict[str, Any] = {}
    if parser.title.strip():
        meta["title"] = html.unescape(parser.title.strip())
    for key in ("title", "author", "publisher", "published_time", "date", "description"):
        if key in parser.meta and key not in meta:
            meta["published" if key in ("published_time", "date") else key] = parser.meta[key]
    return parser.text(), meta


def _load_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise ValueError("pypdf is not installed") from exc
    reader = PdfReader(str(path))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip() + "\n"


def load_file(path: Path) -> Document:
    """Load one file. Raises ValueError (with a reason) for binary or non-UTF-8 content."""
    suffix = path.suffix.lower()
    metadata: dict[str, Any] = {}
    body_start = 0
    if suffix == ".pdf":
        text = _load_pdf(path)
    else:
        data = path.read_bytes()
        if b"\x00" in data:
            raise ValueError("binary content")
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
        if suffix in (".html", ".htm"):
            text, metadata = _load_html(raw)
        else:
            text = raw
            metadata, body_start = _parse_front_matter(text)
            if "title" not in metadata and suffix in (".md", ".markdown"):
                heading = _HEADING.search(text, body_start)
                if heading:
                    metadata["title"] = heading.group(1)
    if not text[body_start:].strip():
        raise ValueError("no text")
    metadata.setdefault("title", path.stem.replace("-", " ").replace("_", " "))
    return Document(
        doc_id=doc_id_for(path),
        path=display_path(path),
        text=text,
        metadata=metadata,
        body_start=body_start,
        source=str(path.resolve()),
    )


def supported_files(root: Path) -> list[Path]:
    """The files ``load_documents`` would read under ``root`` (``root`` itself if a file)."""
    if not root.exists():
        return []
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def load_documents(paths: Iterable[Path]) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Load every supported file under ``paths``.

    Returns the documents and, per skipped file, its path and the reason.
    Raises InvalidPathError for a missing path, NoDocumentsError when nothing is supported.
    """
    documents: list[Document] = []
    skipped: list[tuple[Path, str]] = []
    for root in paths:
        if not root.exists():
            raise InvalidPathError(f"path does not exist: {root}")
        files = supported_files(root)
        if root.is_file() and root.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise NoDocumentsError(
                f"unsupported file type: {root} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        if not files:
            raise NoDocumentsError(
                f"no supported files in {root} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
            )
        for path in files:
            try:
                documents.append(load_file(path))
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                skipped.append((path, reason))
            except Exception as exc:  # a malformed PDF raises pypdf's own errors
                skipped.append((path, f"unreadable ({type(exc).__name__})"))
    return documents, skipped
