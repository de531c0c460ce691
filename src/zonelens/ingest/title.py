"""A report's title: its own title line, never page furniture, a greeting or a file-system name.

Order: the manifest's title; a corpus file's title column; the report's own title line among its
first lines (``…政府工作报告``, ``…工作总结``, ``…工作报告``); the title the file carries (docx
properties, PDF metadata, the HTML ``<title>``) when it reads as a report title and not as a file
name; a headline-like first line (a news story's headline); the file stem.
"""

from __future__ import annotations

import re
from pathlib import Path

REPORT_TITLE = re.compile(
    r"(政府工作报告|工作总结|工作报告|工作要点|工作计划|工作会议|报告)\s*(全文|摘要|[（(][^）)]{1,10}[）)])?$")
_GREETING = re.compile(r"^(各位代表|同志们|各位委员|女士们|尊敬的)")
_NOT_HEADLINE = re.compile(
    r"^(现在|我代表|您的位置|当前位置|首页|来源|时间|发布时间|日期|作者|责任编辑|分享|下载|打印|全屏|收藏|【|字号)"
    r"|[。！？；;，,：:]$|^[（(【\[].*[）)】\]]$|^[一二三四五六七八九十]+[、.．]|^第[一二三四五六七八九十]+[章节部分篇]|(省长|市长|主席|主任|区长|县长|州长|总理|书记)\s*(\S\s*){0,4}$|^——|(会议|会議|大会)上$"
    r"|^\d{4}[-/.年]\d|工作回顾$|工作安排$")
_FILE_NAME = re.compile(r"\.(pdf|docx?|wps|txt|html?|xlsx?)\b|Microsoft|^[A-Za-z0-9_\-\s.()]+$|[\\/]", re.I)
_SITE_SUFFIX = re.compile(r"\s*[_|｜—–-]{1,2}\s*[^_|｜—–-]*(政府|网|门户|平台|日报|新闻)[^_|｜—–-]*$")
_CONTROLS = re.compile(r"^[【\[]?\s*((下载|打印|全屏|收藏|关闭|分享|字号|加大|还原|减小|[大中小])[\s:：|｜/】\]【\[]*)+$")
MAX_TITLE = 60
HEAD_LINES = 12


def _usable(line: str) -> bool:
    return (0 < len(line) <= MAX_TITLE and not _GREETING.match(line) and not _CONTROLS.match(line)
            and not _FILE_NAME.search(line))


def _despaced(line: str) -> str:
    """A title set with spaces between its characters (政 府 工 作 报 告) without them."""
    return line.replace(" ", "") if re.fullmatch(r"(\S ){3,}\S", line) else line


def title_line(text: str) -> str | None:
    """The report's own title line among its first lines, if it has one."""
    lines = [_despaced(x.strip()) for x in text.split("\n") if x.strip()][:HEAD_LINES]
    for i, line in enumerate(lines):
        if _usable(line) and REPORT_TITLE.search(line) and not _NOT_HEADLINE.search(line):
            if i > 0 and len(line) <= 8 and _usable(lines[i - 1]) and not _NOT_HEADLINE.search(lines[i - 1]) \
                    and len(lines[i - 1]) <= 20 and not REPORT_TITLE.search(lines[i - 1]):
                return lines[i - 1] + line  # "2025年吉林省" / "政府工作报告"
            return line
    return None


def carried_title(title: str | None) -> str | None:
    """A title the file carries, cleaned of a site suffix, if it reads as a report title."""
    if not title:
        return None
    t = _SITE_SUFFIX.sub("", title.strip())
    return t if _usable(t) and REPORT_TITLE.search(t) else None


def headline(text: str) -> str | None:
    """A first line that reads as a headline (short, no sentence end, not furniture or a byline)."""
    for line in (x.strip() for x in text.split("\n")):
        if not line:
            continue
        return line if _usable(line) and len(line) <= 40 and not _NOT_HEADLINE.search(line) else None
    return None


def choose_title(text: str, path: str, manifest_title: str | None = None, column_title: str | None = None,
                 carried: str | None = None) -> str:
    """The title of a report (see the module docstring); ``path`` gives the file-stem fallback."""
    for t in (manifest_title, column_title):
        if t and t.strip():
            return t.strip()
    found = title_line(text) or carried_title(carried) or headline(text)
    if found:
        return found
    file_part, _, row = path.partition("#")
    return Path(file_part).stem + (f"#{row}" if row else "")
