"""Stable hashes used as references (documents, sentences, files)."""

from __future__ import annotations

import hashlib
import unicodedata


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_for(source_text: str) -> str:
    """Document id: the first 16 hex chars of the sha256 of its source text (before cleaning)."""
    return hashlib.sha256(source_text.encode("utf-8")).hexdigest()[:16]


def text_hash(text: str) -> str:
    """Sentence hash used in annotation references: sha1 of the NFC text without whitespace, 12 hex."""
    norm = "".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]
