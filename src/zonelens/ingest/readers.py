"""Readers: one function per format, each returning raw documents (text plus what the file says).

Every expected failure raises :class:`InputError` naming the file and the problem, in one line.
"""

from __future__ import annotations

import io
import json
import logging
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import InputError

TEXT_EXT = {".txt", ".md", ".text"}
DOCX_EXT = {".docx"}
PDF_EXT = {".pdf"}
HTML_EXT = {".html", ".htm", ".xhtml"}
CORPUS_EXT = {".jsonl", ".csv", ".dta"}
SUPPORTED = TEXT_EXT | DOCX_EXT | PDF_EXT | HTML_EXT | CORPUS_EXT
DEFAULT_MAX_MB = 50.0
MB = 1_000_000  # decimal megabytes, as file managers and `ls --si` show sizes
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class RawDoc:
    """One report as read: its text and whatever metadata the source itself carries."""

    path: str  # the path as given; '<path>#<row>' for rows of corpus files
    text: str
    sha256: str
    format: str
    encoding: str | None = None
    title: str | None = None
    zone: str | None = None  # from corpus columns
    year: int | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Columns:
    """Which columns of a corpus file (.jsonl/.csv/.dta) hold text and metadata (None: auto)."""

    text: str | None = None
    zone: str | None = None
    year: str | None = None
    title: str | None = None


# Column names found without --text-col/--zone-col/--year-col/--title-col (case-insensitive, in this order).
TEXT_COLS = ("text", "full_text", "fulltext", "content", "report", "report_text", "body", "正文", "全文", "内容",
             "文本")
ZONE_COLS = ("zone", "area", "place", "city", "province", "region", "prefecture", "county", "地区", "园区",
             "省份", "省", "城市", "地市", "区县")
YEAR_COLS = ("year", "report_year", "年份", "年度", "年")
TITLE_COLS = ("title", "report_title", "标题", "题目", "name")


def _check_size(path: Path, max_mb: float) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    if size == 0:
        raise InputError(path, "empty file")
    if size > max_mb * MB:
        raise InputError(path, f"file is {size / MB:.1f} MB, over the {max_mb:g} MB limit "
                               "for one report (raise it with --max-mb)")
    return path.read_bytes()


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode report bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else detect (GB18030/GBK, Big5)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(text[:4000])) > 0.2 * len(text[:4000].strip() or "x"):
            return text, "gb18030" if enc == "gb18030" else enc
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None:
        raise InputError(path, "cannot detect the text encoding (not UTF-8, GBK/GB18030 or Big5)")
    return data.decode(best.encoding, errors="replace"), best.encoding


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def read_text_file(path: Path, max_mb: float) -> RawDoc:
    data = _check_size(path, max_mb)
    text, enc = decode_bytes(data, path)
    return RawDoc(str(path), text, _sha(data), "txt", enc)


def read_docx(path: Path, max_mb: float) -> RawDoc:
    data = _check_size(path, max_mb)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(path, f"not a readable .docx (truncated or corrupt: {type(exc).__name__})") from None
    except Exception as exc:  # lxml errors inside a damaged package
        raise InputError(path, f"not a readable .docx ({type(exc).__name__}: {str(exc)[:80]})") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = cell.text.strip()
                    if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                        cells.append(t)
                if cells:
                    lines.append(" ".join(cells))
    title = (document.core_properties.title or "").strip() or None
    return RawDoc(str(path), "\n".join(lines), _sha(data), "docx", None, title)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about damage it works around ("EOF marker not found"): our one error
    line (or the text) is what the user sees, so its logger and warnings are silenced here."""
    log = logging.getLogger("pypdf")
    level, log.level = log.level, logging.CRITICAL + 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


def read_pdf(path: Path, max_mb: float) -> RawDoc:
    data = _check_size(path, max_mb)
    try:
        from pypdf import PdfReader

        with _quiet_pypdf():
            reader = PdfReader(io.BytesIO(data), strict=False)
            pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types for damaged files
        raise InputError(path, f"not a readable PDF (truncated or corrupt: {type(exc).__name__})") from None
    text = "\n".join(pages)
    if len(_CJK.findall(text)) < 20 and len(text.strip()) < 200:
        raise InputError(path, f"PDF has no text layer ({len(pages)} pages; scanned? run OCR first)")
    meta_title = None
    try:
        with _quiet_pypdf():
            meta_title = (reader.metadata.title or "").strip() or None if reader.metadata else None
    except Exception:
        meta_title = None
    return RawDoc(str(path), text, _sha(data), "pdf", None, meta_title)


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}


def read_html(path: Path, max_mb: float) -> RawDoc:
    """The article of a web page (readability), as paragraphs, without navigation."""
    data = _check_size(path, max_mb)
    m = re.search(rb'charset=["\']?([A-Za-z0-9_-]+)', data[:4096])
    enc = m.group(1).decode("ascii").lower() if m else None
    try:
        html = data.decode(enc) if enc else decode_bytes(data, path)[0]
    except (LookupError, UnicodeDecodeError):
        html, enc = decode_bytes(data, path)
    try:
        import lxml.html
        from readability import Document

        doc = Document(html)
        title = (doc.short_title() or "").strip() or None
        tree = lxml.html.fromstring(doc.summary(html_partial=True))
    except Exception as exc:
        raise InputError(path, f"cannot parse HTML ({type(exc).__name__})") from None
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text = re.sub(r"\n\s*\n+", "\n\n", tree.text_content())
    return RawDoc(str(path), text.strip(), _sha(data), "html", enc or "utf-8", title)


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], path: Path, what: str,
          required: bool) -> str | None:
    if wanted:
        if wanted not in columns:
            raise InputError(path, f"no column '{wanted}' for the {what} (columns: {', '.join(columns)})")
        return wanted
    lower = {c.lower(): c for c in columns}
    for c in candidates:
        if c in lower:
            return lower[c]
    if required:
        raise InputError(path, f"no {what} column found (columns: {', '.join(columns)}; name it with --text-col)")
    return None


def _to_year(value) -> int | None:
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except Exception:
        return None
    m = re.search(r"(1[89]\d{2}|20\d{2})", str(value))
    return int(m.group(1)) if m else None


def read_corpus_file(path: Path, columns: Columns, max_mb: float, part=None) -> Iterator[RawDoc]:
    """Rows of a .jsonl/.csv/.dta corpus file, one document each; a bad row is a warning on the file.
    ``part``: only the rows of this :class:`~zonelens.ingest.slices.Slice` of a JSONL file."""
    import pandas as pd

    _check_size(path, max_mb * 20)
    ext = path.suffix.lower()
    first = 0
    try:
        if part is not None:
            from .slices import read_slice_rows

            frame = pd.DataFrame([r for _, r in read_slice_rows(path, part)], columns=list(part.keys))
            first = part.first_row
        elif ext == ".jsonl":
            rows = []
            for n, line in enumerate(path.read_text("utf-8-sig").splitlines(), 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise InputError(path, f"line {n}: malformed JSON ({exc.msg})") from None
            frame = pd.DataFrame(rows)
        elif ext == ".csv":
            raw = path.read_bytes()
            frame = pd.read_csv(io.StringIO(decode_bytes(raw, path)[0]), dtype=str, keep_default_na=False)
        else:
            frame = pd.read_stata(path)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(path, f"cannot read as a {ext} corpus file ({type(exc).__name__}: {str(exc)[:80]})") from None
    cols = [str(c) for c in frame.columns]
    tcol = _pick(cols, columns.text, TEXT_COLS, path, "text", True)
    zcol = _pick(cols, columns.zone, ZONE_COLS, path, "zone", False)
    ycol = _pick(cols, columns.year, YEAR_COLS, path, "year", False)
    hcol = _pick(cols, columns.title, TITLE_COLS, path, "title", False)
    for i, row in enumerate(frame.to_dict("records"), first):
        text = row.get(tcol)
        text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        label = f"{path}#{i}"
        year = _to_year(row.get(ycol)) if ycol else None
        zone = str(row[zcol]).strip() if zcol and row.get(zcol) not in (None, "") and row.get(zcol) == row.get(zcol) else None
        title = str(row[hcol]).strip() if hcol and row.get(hcol) else None
        doc = RawDoc(label, text, _sha(text.encode("utf-8")), ext.lstrip("."), "utf-8", title, zone, year)
        if ycol and year is None:
            doc.warnings.append(("missing_year", f"row {i}: no year in column '{ycol}'"))
        yield doc


def read_path(path: Path, columns: Columns = Columns(), max_mb: float = DEFAULT_MAX_MB, part=None) -> Iterator[RawDoc]:
    """Dispatch on the file extension (``part``: a slice of a JSONL corpus file)."""
    ext = path.suffix.lower()
    if not path.exists():
        raise InputError(path, "no such file")
    if ext in TEXT_EXT:
        yield read_text_file(path, max_mb)
    elif ext in DOCX_EXT:
        yield read_docx(path, max_mb)
    elif ext in PDF_EXT:
        yield read_pdf(path, max_mb)
    elif ext in HTML_EXT:
        yield read_html(path, max_mb)
    elif ext in CORPUS_EXT:
        yield from read_corpus_file(path, columns, max_mb, part)
    else:
        raise InputError(path, f"unsupported file type '{ext or path.name}' "
                               f"(supported: {', '.join(sorted(SUPPORTED))})")
