"""Damage a copy of a verified file, as a corrupted download or disk would."""

from __future__ import annotations

from pathlib import Path

__all__ = ["flip_byte"]


def flip_byte(path: Path, offset: int) -> None:
    """Invert every bit of the byte of ``path`` at ``offset`` (in place)."""
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
