"""Topic-model quality measures: diversity, NPMI coherence (gensim), an LDA baseline, seed stability.

All take top-word lists (one list of words per topic) and, for coherence, the tokenized sentences
(the same jieba tokens c-TF-IDF used), so BERTopic and LDA are scored on equal terms.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np


def topic_diversity(top_words: Sequence[Sequence[str]], topn: int = 10) -> float:
    """Share of unique words among all topics' top-``topn`` words (1.0 = no word repeats)."""
    words = [w for ws in top_words for w in list(ws)[:topn]]
    return len(set(words)) / len(words) if words else 0.0


def npmi(top_words: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], topn: int = 10,
         dictionary=None) -> tuple[float, list[float]]:
    """Mean and per-topic c_npmi (gensim CoherenceModel, boolean sliding window over ``texts``).

    Words not in the texts' dictionary are dropped from a topic (gensim cannot score them); a topic
    left with fewer than 2 words scores NaN and is ignored in the mean.
    """
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    dictionary = dictionary or Dictionary(texts)
    known = [[w for w in list(ws)[:topn] if w in dictionary.token2id] for ws in top_words]
    keep = [i for i, ws in enumerate(known) if len(ws) >= 2]
    scores = [float("nan")] * len(known)
    if keep:
        cm = CoherenceModel(topics=[known[i] for i in keep], texts=list(texts), dictionary=dictionary,
                            coherence="c_npmi", topn=topn, processes=1)
        for i, s in zip(keep, cm.get_coherence_per_topic()):
            scores[i] = float(s)
    valid = [s for s in scores if not np.isnan(s)]
    return (float(np.mean(valid)) if valid else float("nan")), scores


def lda_topics(texts: Sequence[Sequence[str]], k: int, seed: int = 42, passes: int = 5, topn: int = 10,
               dictionary=None) -> list[list[str]]:
    """Top words of a gensim LDA with ``k`` topics on the same tokens (the coherence baseline)."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    dictionary = dictionary or Dictionary(texts)
    corpus = [dictionary.doc2bow(t) for t in texts]
    lda = LdaModel(corpus=corpus, id2word=dictionary, num_topics=k, random_state=seed, passes=passes,
                   alpha="auto", eta="auto", chunksize=4000)
    return [[w for w, _ in lda.show_topic(i, topn=topn)] for i in range(k)]


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def best_match_jaccard(run_a: Sequence[Sequence[str]], run_b: Sequence[Sequence[str]], topn: int = 10) -> float:
    """Mean over the topics of ``run_a`` of the best Jaccard overlap of top words with a topic of ``run_b``."""
    if not run_a or not run_b:
        return 0.0
    return float(np.mean([max(jaccard(list(a)[:topn], list(b)[:topn]) for b in run_b) for a in run_a]))


def seed_stability(runs: Sequence[Sequence[Sequence[str]]], topn: int = 10) -> dict:
    """Best-match Jaccard for every ordered pair of runs; its mean is the stability figure."""
    pairs = {f"{i}->{j}": best_match_jaccard(runs[i], runs[j], topn)
             for i, j in combinations(range(len(runs)), 2) for i, j in ((i, j), (j, i))}
    return {"mean": float(np.mean(list(pairs.values()))) if pairs else float("nan"), "pairs": pairs}
