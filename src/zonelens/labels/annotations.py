"""Annotation files: JSONL, one labelled sentence per line.

A line looks like::

    {"ref": {"source": "corpora/city-2024/txt/x.txt", "doc_id": "<16 hex>", "idx": 12,
             "sha": "<text_hash>"},
     "themes": ["innovation"], "primary": "innovation", "annotator": "a1", "round": 1}

``themes`` may be empty (the sentence is *other*); then ``primary`` is null. Otherwise
``primary`` is one of ``themes``. ``(doc_id, idx, annotator, round)`` is unique in a file. An
optional ``sample`` says how the labelling script drew the sentence (``random``, ``seed``,
``whole-document``, ``keywords``, ``uncertain:<theme>``); it is carried into the gold table, so an
evaluation can score the naturally drawn sentences apart.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

import duckdb
import pandas as pd

from ..errors import LabelError
from ..hashing import text_hash
from ..jsonl import BadLine, json_lines
from ..taxonomy import Taxonomy

HEX_RE = re.compile(r"^[0-9a-f]+$")
REF_FIELDS = ("source", "doc_id", "idx", "sha")
FIELDS = ("ref", "themes", "primary", "annotator", "round")


@dataclass(frozen=True)
class Ref:
    source: str
    doc_id: str
    idx: int
    sha: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.doc_id, self.idx)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "doc_id": self.doc_id, "idx": self.idx, "sha": self.sha}


@dataclass(frozen=True)
class Annotation:
    ref: Ref
    themes: tuple[str, ...]
    primary: str | None
    annotator: str
    round: int
    sample: str | None = None  # how the labelling script drew the sentence ("random", "uncertain:party", ...)

    @property
    def key(self) -> tuple[str, int]:
        """The sentence this annotation is about: ``(doc_id, idx)``."""
        return self.ref.key

    def to_dict(self) -> dict[str, Any]:
        out = {"ref": self.ref.to_dict(), "themes": list(self.themes), "primary": self.primary,
               "annotator": self.annotator, "round": self.round}
        return out if self.sample is None else {**out, "sample": self.sample}


class Unresolved(NamedTuple):
    annotation: Annotation
    reason: str


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_ref(obj: Any, path: str | Path, line: int | None) -> Ref:
    """Validate a ``ref`` object."""
    if not isinstance(obj, dict):
        raise LabelError(path, line, "`ref` must be an object with source, doc_id, idx, sha")
    missing = [f for f in REF_FIELDS if f not in obj]
    if missing:
        raise LabelError(path, line, f"`ref` is missing {', '.join(missing)}")
    if not isinstance(obj["source"], str):
        raise LabelError(path, line, "`ref.source` must be a string")
    if not isinstance(obj["doc_id"], str) or not obj["doc_id"]:
        raise LabelError(path, line, "`ref.doc_id` must be a non-empty string")
    if not _is_int(obj["idx"]) or obj["idx"] < 0:
        raise LabelError(path, line, "`ref.idx` must be a non-negative integer")
    if not isinstance(obj["sha"], str) or not HEX_RE.match(obj["sha"]):
        raise LabelError(path, line, "`ref.sha` must be a lowercase hex string (text_hash)")
    return Ref(obj["source"], obj["doc_id"], obj["idx"], obj["sha"])


def make_annotation(ref: Ref, themes: Any, primary: Any, annotator: Any, round_: Any,
                    taxonomy: Taxonomy, path: str | Path, line: int | None) -> Annotation:
    """Validate the labelled part of an annotation against ``taxonomy``."""
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise LabelError(path, line, "`themes` must be a list of theme ids")
    unknown = [t for t in themes if t not in taxonomy.ids]
    if unknown:
        raise LabelError(path, line, f"unknown theme id(s): {', '.join(unknown)} "
                         f"(taxonomy {taxonomy.version} has: {', '.join(taxonomy.ids)})")
    if len(set(themes)) != len(themes):
        raise LabelError(path, line, "a theme is listed twice in `themes`")
    if themes:
        if primary not in themes:
            raise LabelError(path, line, f"`primary` must be one of {themes} (got {primary!r})")
    elif primary is not None:
        raise LabelError(path, line, "`primary` must be null when `themes` is empty (other)")
    if not isinstance(annotator, str) or not annotator.strip():
        raise LabelError(path, line, "`annotator` must be a non-empty string")
    if not _is_int(round_) or round_ < 0:
        raise LabelError(path, line, "`round` must be a non-negative integer")
    return Annotation(ref, taxonomy.order(themes), primary, annotator.strip(), round_)


def check_unique(annotations: Iterable[tuple[int | None, Annotation]], path: str | Path) -> None:
    """Raise on a repeated ``(doc_id, idx, annotator, round)``."""
    seen: dict[tuple, int | None] = {}
    for line, a in annotations:
        k = (a.ref.doc_id, a.ref.idx, a.annotator, a.round)
        if k in seen:
            first = f" (first on line {seen[k]})" if seen[k] is not None else ""
            raise LabelError(path, line, f"duplicate reference {a.ref.doc_id}#{a.ref.idx} for "
                             f"annotator {a.annotator!r}, round {a.round}{first}")
        seen[k] = line


def _decoded(lines) -> Iterator[str]:
    for n, b in enumerate(lines, 1):
        try:
            yield b.decode("utf-8")
        except UnicodeDecodeError:
            raise BadLine(n, "not valid UTF-8") from None


def read_annotations(path: str | Path, taxonomy: Taxonomy) -> list[Annotation]:
    """Read and validate an annotation JSONL file. Blank lines are skipped."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelError(path, None, f"cannot read ({exc.strerror or exc})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    out: list[tuple[int, Annotation]] = []
    try:
        for lineno, obj in json_lines(_decoded(raw.split(b"\n"))):
            missing = [f for f in FIELDS if f not in obj]
            if missing:
                raise LabelError(path, lineno, f"missing field(s): {', '.join(missing)}")
            ref = parse_ref(obj["ref"], path, lineno)
            ann = make_annotation(ref, obj["themes"], obj["primary"], obj["annotator"], obj["round"],
                                  taxonomy, path, lineno)
            if isinstance(obj.get("sample"), str):
                ann = replace(ann, sample=obj["sample"])
            out.append((lineno, ann))
    except BadLine as exc:
        raise LabelError(path, exc.lineno, exc.problem) from None
    check_unique(out, path)
    return [a for _, a in out]


def read_many(paths: Iterable[str | Path], taxonomy: Taxonomy) -> list[Annotation]:
    """Read several annotation files (each validated on its own) into one list."""
    out: list[Annotation] = []
    for p in paths:
        out.extend(read_annotations(p, taxonomy))
    return out


def write_annotations(path: str | Path, annotations: Iterable[Annotation]) -> int:
    """Write annotations as JSONL (atomically); returns the number of lines written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for a in annotations:
            fh.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


RESOLVED_COLUMNS = ["doc_id", "idx", "text", "is_heading", "source", "sha", "themes", "primary",
                    "annotator", "round", "orig_idx", "moved", "sample"]


def resolve(con: duckdb.DuckDBPyConnection,
            annotations: list[Annotation]) -> tuple[pd.DataFrame, list[Unresolved]]:
    """Attach sentence text from the corpus to each annotation.

    A reference resolves at ``(doc_id, idx)`` when the sentence there has the ref's hash;
    otherwise (segmentation moved) the document is searched for a sentence with that hash,
    the nearest one to ``idx`` winning. Returns the resolved rows (``idx`` is the current
    index, ``orig_idx`` the one in the file, ``moved`` whether they differ) and the rest
    with a reason.
    """
    doc_ids = sorted({a.ref.doc_id for a in annotations})
    rows = con.execute(
        "SELECT s.doc_id, s.idx, s.text, s.is_heading FROM sentences s "
        "WHERE list_contains(?, s.doc_id) ORDER BY s.doc_id, s.idx", [doc_ids]
    ).fetchall() if doc_ids else []
    known = {r[0] for r in con.execute(
        "SELECT doc_id FROM documents WHERE list_contains(?, doc_id)", [doc_ids]
    ).fetchall()} if doc_ids else set()

    by_pos: dict[tuple[str, int], tuple[str, bool, str]] = {}
    by_sha: dict[tuple[str, str], list[int]] = {}
    for doc_id, idx, text, is_heading in rows:
        sha = text_hash(text)
        by_pos[(doc_id, idx)] = (text, bool(is_heading), sha)
        by_sha.setdefault((doc_id, sha), []).append(idx)

    resolved: list[dict[str, Any]] = []
    unresolved: list[Unresolved] = []
    for a in annotations:
        r = a.ref
        if r.doc_id not in known:
            unresolved.append(Unresolved(a, "document not in corpus"))
            continue
        hit = by_pos.get((r.doc_id, r.idx))
        idx = r.idx
        if hit is None or hit[2] != r.sha:
            candidates = by_sha.get((r.doc_id, r.sha))
            if not candidates:
                unresolved.append(Unresolved(a, "sentence hash not found in document"))
                continue
            idx = min((abs(i - r.idx), i) for i in candidates)[1]
            hit = by_pos[(r.doc_id, idx)]
        resolved.append({
            "doc_id": r.doc_id, "idx": idx, "text": hit[0], "is_heading": hit[1],
            "source": r.source, "sha": r.sha, "themes": list(a.themes), "primary": a.primary,
            "annotator": a.annotator, "round": a.round, "orig_idx": r.idx, "moved": idx != r.idx,
            "sample": a.sample,
        })
    return pd.DataFrame(resolved, columns=RESOLVED_COLUMNS), unresolved
