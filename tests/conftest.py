"""Shared fixtures. Fixture reports are text written for zonelens; real data is read from ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

REPORT = """青松高新区2023年工作总结

一、2023年工作回顾

过去一年，高新区经济运行稳中向好。全年新签约项目18个，合同引资62亿元。

（一）科技创新持续发力。新增高新技术企业15家；研发投入强度达到2.8%。

（二）生态环境明显改善。空气质量优良率达到87%，完成污水管网改造6公里。

二、2024年工作安排

今年，我们将聚焦主导产业开展精准招商，力争引进亿元以上项目10个。同时要办好民生实事，新增学位1200个。
"""


@pytest.fixture
def report_text() -> str:
    return REPORT


def write_report_folder(src: Path, reports: dict) -> Path:
    """Write ``reports`` ({file name: (zone, year, text)}) into the folder ``src`` with a manifest
    (path, zone, year, title); return the manifest's path."""
    src.mkdir(parents=True, exist_ok=True)
    lines = ["path,zone,year,title"]
    for name, (zone, year, text) in reports.items():
        (src / name).write_text(text, encoding="utf-8")
        lines.append(f"{name},{zone},{year},{zone}{year}年工作总结")
    (src / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src / "manifest.csv"


def ingest_report_folder(root: Path, reports: dict):
    """``reports`` written into ``root/reports`` with a manifest and ingested into ``root/corpus.duckdb``:
    (db path, ingest report)."""
    from zonelens.ingest.run import ingest

    src = root / "reports"
    manifest = write_report_folder(src, reports)
    db = root / "corpus.duckdb"
    return db, ingest([src], db, manifest=manifest)


@pytest.fixture(scope="session")
def report_folder():
    """:func:`write_report_folder`, for tests in sub-folders."""
    return write_report_folder


@pytest.fixture(scope="session")
def ingested_reports():
    """:func:`ingest_report_folder`, for tests in sub-folders."""
    return ingest_report_folder


def _write_topics(db: Path, model_id: str, rule, info: list[tuple]) -> None:
    """topic_assignments from ``rule(text) -> topic`` for every body sentence of the corpus DB, and
    topic_info rows (topic, label, size, top_words), written with the library's own writer."""
    import pandas as pd

    from zonelens import store
    from zonelens.topics.run import write_topics

    con = store.connect(db)
    try:
        rows = con.execute("SELECT doc_id, idx, text FROM sentences WHERE NOT is_heading ORDER BY doc_id, idx").df()
        topic = [rule(t) for t in rows["text"]]
        write_topics(con, model_id, rows.assign(topic=topic, topic_raw=topic),
                     info=pd.DataFrame(info, columns=["topic", "label", "size", "top_words"]))
    finally:
        con.close()


@pytest.fixture(scope="session")
def write_topics():
    """Topic tables as `zonelens topics fit` writes them, from a keyword rule (fixture data)."""
    return _write_topics


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpora").is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


def make_pdf(path: Path, lines: list[str]) -> Path:
    """Write a one-page PDF whose text layer holds ``lines`` (Type0 font with a ToUnicode map)."""
    chars = sorted(set("".join(lines)))
    gid = {c: i + 1 for i, c in enumerate(chars)}
    content = "BT /F1 12 Tf 50 800 Td 14 TL " + " ".join(
        "<" + "".join(f"{gid[c]:04X}" for c in line) + "> Tj T*" for line in lines) + " ET"
    bf = "\n".join(f"<{gid[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry "
            "(Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 "
            "def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(chars)} beginbfchar\n{bf}\nendbfchar endcmap CMapName currentdict /CMap defineresource "
            "pop end end")
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        None,
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry "
        "(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R >>",
        None,
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 0 1000 1000] "
        "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    ]
    streams = {5: content.encode("latin-1"), 7: cmap.encode("latin-1")}
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        if n in streams:
            data = streams[n]
            out += f"{n} 0 obj\n<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream\nendobj\n"
        else:
            out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


@pytest.fixture
def pdf_maker():
    """The PDF writer above, as a fixture (test modules cannot import conftest reliably)."""
    return make_pdf
