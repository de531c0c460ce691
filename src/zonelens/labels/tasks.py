"""Task files for annotation tools, and reading the filled ones back as annotations.

Formats:

- ``jsonl``: ours. One line per sentence: ``ref``, ``text``, ``themes: []``, ``primary:
  null`` (and the sampling ``reason``). Fill ``themes``/``primary``; every line is imported,
  an empty ``themes`` meaning *other*.
- ``labelstudio``: a Label Studio JSON import (``[{"data": {"text", "ref", "reason"}}]``)
  plus a labeling config ``<stem>.config.xml`` beside it, with a multiple-choice ``themes``
  block and a single-choice ``primary`` block. Its JSON export (full or ``JSON_MIN``) is read
  back; tasks without a submitted annotation are skipped, a submitted one with no theme
  chosen is *other*.
- ``doccano``: JSONL with ``text``, ``label: []`` and ``ref``; read back from a doccano
  text-classification export (``label``/``labels``), an empty label list meaning *other*.

Theme names on import may be ids, Chinese or English names; ``other``/``其他`` means none.
Where a format has no primary (doccano) or it was left blank, the first theme listed is the
primary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import duckdb
import pandas as pd

from ..errors import LabelError, UsageError
from ..hashing import text_hash
from ..jsonl import BadLine, json_lines
from ..taxonomy import Taxonomy
from .annotations import Annotation, check_unique, make_annotation, parse_ref, read_annotations, resolve

FORMATS = ("jsonl", "labelstudio", "doccano")


def _ref(row: Any) -> dict[str, Any]:
    source = row.get("source", "")
    return {"source": "" if pd.isna(source) else str(source), "doc_id": str(row["doc_id"]),
            "idx": int(row["idx"]), "sha": text_hash(str(row["text"]))}


def labelstudio_config(taxonomy: Taxonomy) -> str:
    """A Label Studio labeling config for the taxonomy's themes."""
    choices = "".join(
        f"    <Choice value={quoteattr(t.name_zh)} alias={quoteattr(t.id)} hint={quoteattr(t.name_en)}/>\n"
        for t in taxonomy.themes
    )
    return (
        "<View>\n"
        '  <Text name="text" value="$text"/>\n'
        f"  <Header value={quoteattr('主题 themes (none = ' + taxonomy.other.name_zh + ')')}/>\n"
        '  <Choices name="themes" toName="text" choice="multiple" showInline="true">\n'
        f"{choices}"
        "  </Choices>\n"
        f"  <Header value={quoteattr('主要主题 primary (only if several themes)')}/>\n"
        '  <Choices name="primary" toName="text" choice="single" showInline="true">\n'
        f"{choices}"
        "  </Choices>\n"
        "</View>\n"
    )


def config_path(out_path: str | Path) -> Path:
    out_path = Path(out_path)
    return out_path.with_name(out_path.stem + ".config.xml")


def export_tasks(df: pd.DataFrame, out_path: str | Path, fmt: str = "jsonl",
                 taxonomy: Taxonomy | None = None) -> int:
    """Write sentences (``doc_id, idx, text`` [, ``source``, ``reason``]) as tasks."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown task format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "labelstudio" and taxonomy is None:
        raise UsageError("the Label Studio config needs a taxonomy")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    records = df.to_dict("records")
    items = []
    for row in records:
        ref = _ref(row)
        reason = row.get("reason")
        extra = {} if reason is None or pd.isna(reason) else {"reason": str(reason)}
        if fmt == "jsonl":
            items.append({"ref": ref, "text": row["text"], "themes": [], "primary": None, **extra})
        elif fmt == "doccano":
            items.append({"text": row["text"], "label": [], "ref": ref, **extra})
        else:
            items.append({"data": {"text": row["text"], "ref": ref, **extra}})
    with out_path.open("w", encoding="utf-8", newline="\n") as fh:
        if fmt == "labelstudio":
            json.dump(items, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        else:
            for item in items:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    if fmt == "labelstudio":
        config_path(out_path).write_text(labelstudio_config(taxonomy), encoding="utf-8")
    return len(items)


# --------------------------------------------------------------------------- import


def _names(value: Any, path: Path, line: int | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict) and "choices" in value:
        value = value["choices"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LabelError(path, line, f"`{what}` must be a list of theme names")
    return value


def _to_ids(names: list[str], taxonomy: Taxonomy, path: Path, line: int | None) -> list[str]:
    out: list[str] = []
    for name in names:
        try:
            tid = taxonomy.lookup(name)
        except KeyError:
            raise LabelError(path, line, f"unknown theme {name!r} (taxonomy {taxonomy.version} "
                             f"has: {', '.join(taxonomy.ids)})") from None
        if tid is not None and tid not in out:
            out.append(tid)
    return out


def _build(ref_obj: Any, text: Any, themes: list[str], primary: list[str], annotator: str,
           round_: int, taxonomy: Taxonomy, path: Path, line: int | None) -> Annotation:
    ref = parse_ref(ref_obj, path, line)
    if isinstance(text, str) and text_hash(text) != ref.sha:
        raise LabelError(path, line, "text differs from the exported sentence (edited?)")
    ids = _to_ids(themes, taxonomy, path, line)
    prim = _to_ids(primary, taxonomy, path, line)
    if len(prim) > 1:
        raise LabelError(path, line, "more than one primary theme")
    chosen = prim[0] if prim else (ids[0] if ids else None)
    return make_annotation(ref, ids, chosen, annotator, round_, taxonomy, path, line)


def _jsonl_lines(path: Path) -> list[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(path, None, f"cannot read ({exc})") from None
    try:
        return list(json_lines(text.split("\n")))
    except BadLine as exc:
        raise LabelError(path, exc.lineno, exc.problem) from None


def _labelstudio_items(path: Path, taxonomy: Taxonomy, annotator: str,
                       round_: int) -> list[tuple[int | None, Annotation]]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise LabelError(path, exc.lineno, f"malformed JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(path, None, f"cannot read ({exc})") from None
    if not isinstance(tasks, list):
        raise LabelError(path, None, "expected a Label Studio export (a JSON list of tasks)")
    out: list[tuple[int | None, Annotation]] = []
    for i, task in enumerate(tasks, start=1):
        where = f"task #{i}"
        if not isinstance(task, dict):
            raise LabelError(path, None, f"{where}: not an object")
        try:
            if "data" not in task:  # JSON_MIN export: data fields and choices flattened
                if "themes" not in task and "annotation_id" not in task:
                    continue  # not annotated
                ann = _build(task.get("ref"), task.get("text"),
                             _names(task.get("themes"), path, None, "themes"),
                             _names(task.get("primary"), path, None, "primary"),
                             annotator, round_, taxonomy, path, None)
                out.append((None, ann))
                continue
            done = [a for a in task.get("annotations") or task.get("completions") or []
                    if isinstance(a, dict) and not a.get("was_cancelled")]
            if not done:
                continue
            if len(done) > 1:
                raise LabelError(path, None, f"has {len(done)} annotations; export one annotator's work")
            picked: dict[str, list[str]] = {"themes": [], "primary": []}
            for r in done[0].get("result") or []:
                if isinstance(r, dict) and r.get("from_name") in picked:
                    picked[r["from_name"]] = _names((r.get("value") or {}).get("choices"),
                                                    path, None, r["from_name"])
            data = task["data"] if isinstance(task["data"], dict) else {}
            out.append((None, _build(data.get("ref"), data.get("text"), picked["themes"],
                                     picked["primary"], annotator, round_, taxonomy, path, None)))
        except LabelError as err:
            raise LabelError(path, err.line, f"{where}: {err.reason}") from None
    return out


def import_tasks(path: str | Path, fmt: str, annotator: str, round: int,
                 taxonomy: Taxonomy) -> list[Annotation]:
    """Read a filled task file (or tool export) as validated annotations."""
    path = Path(path)
    if fmt not in FORMATS:
        raise UsageError(f"unknown task format {fmt!r} (use {', '.join(FORMATS)})")
    if not path.is_file():
        raise LabelError(path, None, "no such file")
    if fmt == "labelstudio":
        items = _labelstudio_items(path, taxonomy, annotator, round)
    else:
        items = []
        for lineno, obj in _jsonl_lines(path):
            if "ref" not in obj:
                raise LabelError(path, lineno, "missing field `ref` (was this file exported by zonelens?)")
            if fmt == "jsonl":
                themes, primary = obj.get("themes"), obj.get("primary")
            else:
                themes = obj.get("label", obj.get("labels"))
                primary = obj.get("primary")
            items.append((lineno, _build(obj["ref"], obj.get("text"), _names(themes, path, lineno, "themes"),
                                         _names(primary, path, lineno, "primary"),
                                         annotator, round, taxonomy, path, lineno)))
    check_unique(items, path)
    return [a for _, a in items]


def rows_for_export(path: str | Path, taxonomy: Taxonomy,
                    con: duckdb.DuckDBPyConnection | None = None) -> tuple[pd.DataFrame, int]:
    """Sentences to (re-)export from a task file (lines with ``text``) or an annotation file.

    Annotation files carry no text, so they are resolved against the corpus ``con``; returns
    the rows and how many references could not be resolved.
    """
    path = Path(path)
    lines = _jsonl_lines(path)
    if lines and all("text" in obj for _, obj in lines):
        rows = []
        for lineno, obj in lines:
            ref = parse_ref(obj.get("ref"), path, lineno)
            rows.append({"doc_id": ref.doc_id, "idx": ref.idx, "text": obj["text"],
                         "source": ref.source, "reason": obj.get("reason")})
        return pd.DataFrame(rows, columns=["doc_id", "idx", "text", "source", "reason"]), 0
    if con is None:
        raise UsageError(f"{path}: an annotation file has no text; give --db to resolve it")
    anns = read_annotations(path, taxonomy)
    df, unresolved = resolve(con, anns)
    df = df.drop_duplicates(["doc_id", "idx"])
    df = df.assign(reason="relabel")[["doc_id", "idx", "text", "source", "reason"]]
    return df.reset_index(drop=True), len(unresolved)
