"""Round-4 annotation sample: labels where the model is weak and in the style closest to unseen
provincial and zone reports (issue #15, step 2).

Reproduce:  uv run python experiments/labelling/make_round4.py --db corpus.duckdb --out /work/cache/round4
(same corpus DB as make_batches.py; the shipped `themes-fast` scores the candidates). Writes
batch-K.jsonl (key, heading_path, text) per annotator, refs.jsonl (key → reference, reason) and
INSTRUCTIONS.md OUTSIDE the repository; annotators write labels-K.jsonl beside them; collect with
`collect.py --work DIR --out labels/annotations --round 4`.

Design (fixed seed):
- **Whole national reports.** One report drawn from each of three eras of 1978–2025 (1978–1991,
  1992–2007, 2008–2025) among those of ``--min-sentences``..``--max-sentences`` body sentences
  (moderate length) that are not labelled in full already; every body sentence not labelled in
  rounds 1–3 goes in, so per-document share errors can be measured on unseen-style reports.
- **Uncertain sentences.** The shipped `themes-fast` (with its neighbour context) scores every
  other unlabelled body sentence of at least 6 characters; per source (national, city-2024,
  Shanghai) and theme, a quota is drawn at random among the sentences whose probability is
  closest to that theme's threshold (the 3 × quota nearest). Weak themes get larger quotas.
- ``--double`` of all items go, blind, to a second annotator for the agreement figures.
Seeds are never sampled (labelled in full in round 1).

Later rounds reuse it: ``--round 5`` excludes every sentence labelled in rounds 1–4 (so a round is
scored by the model trained on all earlier labels), puts the earlier rounds' rulings in the
instructions, and takes its own ``--eras`` (whole reports, one per era) and ``--quota``:
    uv run python experiments/labelling/make_round4.py --db corpus.duckdb --out /work/cache/round5 \
        --round 5 --seed 20261205 --eras 1978-2025 --min-sentences 250 --max-sentences 380 \
        --quota national=320,city-2024=140,shanghai=100 --double 0.12
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from zonelens.hashing import text_hash

try:
    from make_batches import source_of
except ImportError:  # run from the repository root
    from experiments.labelling.make_batches import source_of

ERAS = ((1978, 1991), (1992, 2007), (2008, 2025))
SOURCES = {"national": "national-1954-2025", "city-2024": "city-2024/", "shanghai": "shanghai-2020-2024"}
SOURCE_QUOTA = {"national": 380, "city-2024": 420, "shanghai": 260}
THEME_SHARE = {"investment": 0.25, "innovation": 0.25, "party": 0.2, "environment": 0.15, "livelihood": 0.15}
REPO = Path(__file__).resolve().parents[2]


def source_name(path: str) -> str | None:
    return next((k for k, v in SOURCES.items() if v in path), None)


def labelled_keys(db: str, annotations: Path, before: int = 4) -> tuple[set[tuple[str, int]], set[str]]:
    """(doc_id, idx) of every sentence labelled in rounds before ``before``, resolved against ``db``
    (by sha where a sentence moved), and the documents labelled in full."""
    from zonelens.taxonomy import load_taxonomy
    from zonelens.themes.training import load_training_set

    files = [f for f in sorted(annotations.glob("round*-*.jsonl")) if round_of(f) < before]
    gold, _ = load_training_set(files, db, load_taxonomy())
    return set(zip(gold["doc_id"], gold["idx"].astype(int))), set(gold.loc[gold["doc_complete"], "doc_id"])


def round_of(path: Path) -> int:
    return int(path.name.split("-")[0].removeprefix("round"))


def score(db: str, rows: pd.DataFrame, model_name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``themes-fast`` probabilities of ``rows`` with their neighbours as context."""
    from zonelens.themes.artifact import load_for_inference
    from zonelens.themes.classify import predict_batch
    from zonelens.themes.context import neighbours_of

    model = load_for_inference(model_name)
    con = duckdb.connect(db, read_only=True)
    try:
        nb = neighbours_of(con, rows)
    finally:
        con.close()
    none = lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v  # noqa: E731
    out = []
    for s in range(0, len(rows), 4096):
        e = s + 4096
        out.append(predict_batch(model, list(rows["text"].iloc[s:e]), [none(v) for v in nb["prev_text"].iloc[s:e]],
                                 [none(v) for v in nb["next_text"].iloc[s:e]]))
    return np.vstack(out), np.asarray(model.thresholds_, dtype=float), list(model.themes)


def write_round(items: list[dict], out: Path, n_double: int, n_annotators: int, rng: random.Random) -> list[int]:
    """batch-K.jsonl per annotator (each item once, ``n_double`` of them also, blind, to another
    annotator) and refs.jsonl."""
    double = set(rng.sample(range(len(items)), n_double))
    jobs: list[list[dict]] = [[] for _ in range(n_annotators)]
    for i, item in enumerate(items):
        k = i % n_annotators
        jobs[k].append(item)
        if i in double:
            jobs[(k + 1 + (i // n_annotators) % (n_annotators - 1)) % n_annotators].append(item)
    for k, job in enumerate(jobs):
        rng.shuffle(job)
        with open(out / f"batch-{k + 1}.jsonl", "w", encoding="utf-8") as f:
            for it in job:
                f.write(json.dumps({"key": it["key"], "heading_path": it["heading_path"] or "", "text": it["text"]},
                                   ensure_ascii=False) + "\n")
    with open(out / "refs.jsonl", "w", encoding="utf-8") as f:
        for i, it in enumerate(items):
            f.write(json.dumps({"key": it["key"], "ref": it["ref"], "reason": it["reason"], "double": i in double},
                               ensure_ascii=False) + "\n")
    return [len(j) for j in jobs]


FORMAT = """# Round-{round} annotation instructions

You label sentences of Chinese government work reports with the policy themes of the codebook
below (version 1.1, five themes; the empty set is *other*). Read the codebook, the taxonomy and
the conventions and rulings of rounds 1–{last} first; then read **every** sentence of your batch
yourself and decide (no script, keyword rule or model may assign the labels).

**Your batch:** `batch-K.jsonl`, one JSON object per line: `key`, `heading_path` (the section
headings above the sentence, for context only: label the sentence's own subject, not its
heading) and `text`. Some sentences come from whole national reports (read in any order), others
were chosen because the current model is unsure of them: expect hard, borderline cases.

**Your output:** `labels-K.jsonl` (same K) in this folder, exactly one JSON line per input line,
every key once:

    {"key": "q00042", "themes": ["investment", "innovation"], "primary": "investment"}
    {"key": "q00043", "themes": [], "primary": null}

- `themes`: the set of theme ids (`investment`, `innovation`, `environment`, `livelihood`,
  `party`) that are a substantive subject of the sentence; `[]` for other.
- `primary`: the dominant theme (one of `themes`), or `null` when `themes` is empty. With one
  theme, it is that theme. With several, the one the sentence is mainly about.
- Optional `"note": "…"` (a few words) where you hesitated and the codebook is ambiguous: these
  notes feed the error analysis and codebook clarifications.
- Some sentences are in two annotators' batches (blind): label each on its own.
- Write the file incrementally if you like, but make sure it is complete and valid JSON lines
  at the end (one object per line, UTF-8, `ensure_ascii` not required).

"""


def write_instructions(out: Path, annotations: Path, round_no: int = 4) -> None:
    """INSTRUCTIONS.md: the output format, the codebook, the taxonomy, and the earlier rounds'
    conventions (labels/README.md) and adjudication rulings (reasons only; no sentence text)."""
    codebook = (REPO.parent / "shared" / "codebook.md")
    if not codebook.exists():
        codebook = Path("../shared/codebook.md")
    readme = (REPO / "labels" / "README.md").read_text("utf-8")
    rounds = readme[readme.index("## Round 1"):]
    here = f"## Round {round_no}"
    rounds = rounds[:rounds.index(here)] if here in rounds else rounds
    rulings = []
    for f in sorted(annotations.glob("round*-adjudicated.jsonl"), key=round_of):
        if round_of(f) >= round_no:
            continue
        for line in f.read_text("utf-8").splitlines():
            d = json.loads(line)
            rulings.append(f"- round {d['round']}: → {d['themes'] or 'other'}"
                           f"{' (primary ' + d['primary'] + ')' if d['primary'] else ''}: {d.get('note', '')}")
    last = round_no - 1
    text = (FORMAT.replace("{round}", str(round_no)).replace("{last}", str(last)) + "## Codebook (../shared/codebook.md)\n\n" + codebook.read_text("utf-8")
            + "\n\n## Taxonomy with include/exclude rules and examples (labels/themes.yaml)\n\n```yaml\n"
            + (REPO / "labels" / "themes.yaml").read_text("utf-8") + "\n```\n\n"
            + f"## Conventions and calls of rounds 1–{last} (labels/README.md)\n\n" + ("\n" + rounds).replace("\n## ", "\n### ")
            + f"\n\n## Adjudication rulings of rounds 1–{last} (the adjudicator's reason for each disagreement)\n\n"
            + "\n".join(rulings) + "\n")
    (out / "INSTRUCTIONS.md").write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--annotations", default=str(REPO / "labels" / "annotations"))
    ap.add_argument("--model", default="themes-fast")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--min-sentences", type=int, default=380)
    ap.add_argument("--max-sentences", type=int, default=520)
    ap.add_argument("--double", type=float, default=0.10)
    ap.add_argument("--annotators", type=int, default=4)
    ap.add_argument("--round", type=int, default=4, help="the round sampled: earlier rounds' sentences are excluded")
    ap.add_argument("--eras", help="whole national reports, one per era: 'FROM-TO,FROM-TO' (default: round 4's three)")
    ap.add_argument("--quota", help="uncertain sentences per source: 'national=N,city-2024=N,shanghai=N'")
    a = ap.parse_args()
    eras = tuple(tuple(int(y) for y in e.split("-")) for e in a.eras.split(",")) if a.eras else ERAS
    quota = {k: int(v) for k, v in (p.split("=") for p in a.quota.split(","))} if a.quota else SOURCE_QUOTA
    rng = random.Random(a.seed)
    done, complete = labelled_keys(a.db, Path(a.annotations), a.round)
    con = duckdb.connect(a.db, read_only=True)
    body = con.execute("""SELECT d.path, d.year, s.doc_id, s.idx, s.text, s.heading_path FROM sentences s
                          JOIN documents d USING (doc_id) WHERE NOT s.is_heading ORDER BY d.path, s.idx""").df()
    con.close()
    body["source"] = body["path"].map(source_name)
    body = body[body["source"].notna()].copy()  # seeds are labelled in full
    body["idx"] = body["idx"].astype(int)
    body = body[[(d, i) not in done for d, i in zip(body["doc_id"], body["idx"])]]
    nat = body[body["source"] == "national"]
    sizes = nat.groupby(["doc_id", "year"]).size().reset_index(name="n")
    chosen_docs = []
    for lo, hi in eras:
        cands = sizes[(sizes["year"].between(lo, hi)) & sizes["n"].between(a.min_sentences, a.max_sentences)
                      & ~sizes["doc_id"].isin(complete)].sort_values("doc_id")
        chosen_docs.append(tuple(cands.iloc[rng.randrange(len(cands))][["doc_id", "year"]]))
    items: list[dict] = []

    def add(r, reason: str) -> None:
        items.append({"ref": {"source": source_of(r.path), "doc_id": r.doc_id, "idx": int(r.idx),
                              "sha": text_hash(r.text)}, "reason": reason, "text": r.text,
                      "heading_path": r.heading_path})

    whole = body[body["doc_id"].isin([d for d, _ in chosen_docs])]
    for r in whole.itertuples():
        add(r, "whole-document")
    rest = body[~body["doc_id"].isin(whole["doc_id"]) & (body["text"].str.len() >= 6)].reset_index(drop=True)
    proba, thr, themes = score(a.db, rest, a.model)
    taken: set[int] = set()
    for src, n_src in quota.items():
        in_src = np.flatnonzero((rest["source"] == src).to_numpy())
        for theme, share in THEME_SHARE.items():
            j = themes.index(theme)
            n = round(n_src * share)
            gap = np.abs(proba[in_src, j] - thr[j])
            near = [int(in_src[k]) for k in np.argsort(gap, kind="stable") if int(in_src[k]) not in taken][:3 * n]
            for k in sorted(rng.sample(near, min(n, len(near)))):
                taken.add(k)
                add(rest.iloc[k], f"uncertain:{theme}")
    rng.shuffle(items)
    for i, it in enumerate(items):
        it["key"] = f"q{i:05d}"
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    n_double = round(a.double * len(items))
    batch_sizes = write_round(items, out, n_double, a.annotators, rng)
    write_instructions(out, Path(a.annotations), a.round)
    reasons = pd.Series([it["reason"] for it in items]).value_counts().to_dict()
    srcs = pd.Series([source_name(it["ref"]["source"]) for it in items]).value_counts().to_dict()
    print(f"{len(items)} sentences; whole national reports {[int(y) for _, y in chosen_docs]} "
          f"({len(whole)} sentences); by reason {reasons}; by source {srcs}; {n_double} double; batches {batch_sizes}")


if __name__ == "__main__":
    main()
