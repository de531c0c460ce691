"""Word tokenization: a picklable jieba tokenizer with the policy user dictionary, HMM off.

Each instance owns its own ``jieba.Tokenizer`` (no global jieba state), built lazily and dropped
when pickled, so estimators holding it can be saved with joblib and sent to worker processes.
"""

from __future__ import annotations

import re
from typing import Iterable

DEFAULT_STOPWORDS = (
    "发展", "建设", "推进", "加快", "全面", "坚持", "推动", "加强", "深入", "实施", "持续", "进一步",
    "不断", "积极", "着力", "大力", "扎实", "切实", "全力", "提升", "完善", "强化", "落实", "工作",
    "我们", "一批", "以上", "实现", "开展", "健全", "有效", "更加", "努力", "力争", "确保", "重点",
    "的", "了", "和", "与", "及", "等", "在", "为", "是", "对", "把", "以", "将", "要", "个", "年",
)
_NUMERIC = re.compile(r"^[\d.,%％万亿千百十余多第]+$")
_PUNCT = re.compile(r"^[\W_]+$")
_DROP = re.compile(r"^(?:[\d.,%％万亿千百十余多第]+|[\W_]+)$")  # numbers, or punctuation/whitespace only


class JiebaTokenizer:
    """Callable text → tokens. ``words`` join jieba's dictionary; numbers, punctuation, single
    characters (when ``min_len=2``) and ``stopwords`` are dropped."""

    def __init__(self, words: Iterable[str] = (), stopwords: Iterable[str] = (), hmm: bool = False,
                 min_len: int = 1, engine: str = "auto"):
        self.words = tuple(words)
        self.stopwords = tuple(stopwords)
        self.hmm = hmm
        self.min_len = min_len
        self.engine = engine

    def _resolved_engine(self) -> str:
        """``auto`` picks rjieba (jieba-rs, the same dictionary and algorithm in Rust) when it is
        installed and HMM is off; its output then matches jieba's (tested). Otherwise jieba."""
        if self.engine == "jieba" or self.hmm:
            return "jieba"
        if self.engine in ("auto", "rjieba"):
            try:
                import rjieba  # noqa: F401
                return "rjieba"
            except ImportError:
                if self.engine == "rjieba":
                    raise
                return "jieba"
        raise ValueError(f"unknown tokenizer engine '{self.engine}' (auto, jieba, rjieba)")

    def _tokenizer(self):
        tk = self.__dict__.get("_tk")
        if tk is None:
            if self._resolved_engine() == "rjieba":
                import rjieba

                tk = rjieba.Jieba()
                for w in self.words:
                    tk.add_word(w, 2000, None)
                self.__dict__["_cut"] = tk.cut  # cut(text, hmm)
            else:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                for w in self.words:
                    tk.add_word(w, freq=2000)
                self.__dict__["_cut"] = self._jieba_cut
            self.__dict__["_tk"] = tk
            self.__dict__["_stop"] = frozenset(self.stopwords)
        return tk

    def _jieba_cut(self, text: str, hmm: bool) -> list[str]:
        return self.__dict__["_tk"].lcut(text, HMM=hmm)

    def cut(self, text: str) -> list[str]:
        """Raw segmentation (no filtering)."""
        self._tokenizer()
        return self.__dict__["_cut"](text, self.hmm)

    def __call__(self, text: str) -> list[str]:
        self._tokenizer()
        stop = self.__dict__["_stop"]
        min_len = self.min_len
        drop = _DROP.match
        return [t for t in self.__dict__["_cut"](text, self.hmm)
                if len(t) >= min_len and t not in stop and not drop(t)]

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"JiebaTokenizer(words={len(self.words)}, stopwords={len(self.stopwords)}, hmm={self.hmm}, min_len={self.min_len}, engine={self.engine!r})"


def policy_tokenizer(min_len: int = 1, stopwords: Iterable[str] = DEFAULT_STOPWORDS) -> JiebaTokenizer:
    """The tokenizer with the lexicon of ``labels/lexicon.yaml`` as user dictionary."""
    from .taxonomy import load_lexicon

    words = sorted({w for ws in load_lexicon().values() for w in ws})
    return JiebaTokenizer(words, tuple(stopwords), hmm=False, min_len=min_len)
