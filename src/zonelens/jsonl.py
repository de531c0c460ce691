"""The one JSONL reading loop: numbered JSON values of the non-blank lines of a text, with each
bad line one :class:`BadLine` (its 1-based number and what is wrong) for the caller to report in
its own error type."""

from __future__ import annotations

import json
from typing import Iterable, Iterator


class BadLine(ValueError):
    def __init__(self, lineno: int, problem: str, detail: str | None = None):
        super().__init__(f"line {lineno}: {problem}")
        self.lineno, self.problem, self.detail = lineno, problem, detail  # detail: the JSON parser's message


def json_lines(lines: Iterable[str], expect: str | None = "a JSON object") -> Iterator[tuple[int, object]]:
    """(line number, value) per non-blank line. With ``expect`` (what a record must be, named in
    the error), a value that is not a JSON object is a BadLine ``expected <expect>``."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadLine(n, f"malformed JSON ({exc.msg})", exc.msg) from None
        if expect is not None and not isinstance(obj, dict):
            raise BadLine(n, f"expected {expect}")
        yield n, obj
