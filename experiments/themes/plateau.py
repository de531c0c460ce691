"""What moves the plateau (issue #15, step 3): model variants judged on leave-one-source-out and on
grouped CV, side by side, on the same labels.

Reproduce (corpus DB as in baselines.py, its e5 cache filled by embed_gold.py):
    uv run python experiments/themes/plateau.py --db corpus.duckdb --variants fast fast/src e5 e5/src \\
        'mean(e5,fast)' 'lr(e5,fast)/src' 'mlp(e5,fast)/src' [--loso-only] [--tag TAG]
Writes experiments/themes/plateau.json and plateau.md (merged with what is there).

``distil(e5>fast)``: the themes-fast student distilled from the e5 teacher over a pool of ``--pool``
unlabelled sentences (class Distilled below). Variant names: a base recipe (``fast`` = the themes-fast preset, ``e5`` = the themes preset) or a
head over bases, ``HEAD(BASE,BASE,…)`` with HEAD in mean, lr, mlp
(`ensemble.py` beside this script); a ``/src`` suffix makes every inner split (the
thresholds, the Platt calibration, the head's training data) hold out whole *sources* instead of
documents, so the thresholds are chosen for the F1 on sources the model did not see. The outer
evaluation is the same for all (``BASE@param=value,…`` overrides a base recipe's parameters): grouped 5-fold CV by document, and LOSO (fit on three corpora,
test on the fourth; pooled over the four).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, clone

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from compare import fname  # noqa: E402
from loso import evaluate, label_paths, markdown, metrics_by, natural_sample, subsets_of  # noqa: E402

from ensemble import ThemeEnsemble  # noqa: E402

from zonelens.taxonomy import load_taxonomy  # noqa: E402
from zonelens.themes.features import features_for  # noqa: E402
from zonelens.themes.model import ThemeClassifier  # noqa: E402
from zonelens.themes.run import PRESETS  # noqa: E402
from zonelens.themes.training import label_matrix, load_training_set  # noqa: E402

BASES = {"fast": "themes-fast", "e5": "themes"}
_FITS: dict = {}


class SharedFitsEnsemble(ThemeEnsemble):
    """ThemeEnsemble whose base fits are shared between variants with the same bases and inner
    grouping (the same fit on the same rows gives the same model): three heads cost one set of
    base fits. Only for this experiment; the shipped class fits its bases itself."""

    @staticmethod
    def _fit_base(est, X, Y, groups):
        key = (repr(sorted(est.get_params().items())), len(X), hash(tuple(X.index)), hash(tuple(map(str, groups))))
        if key not in _FITS:
            _FITS[key] = ThemeEnsemble._fit_base(est, X, Y, groups)
        return _FITS[key]


_POOL: dict = {}


class Distilled(BaseEstimator):
    """The `zonelens train --teacher --pool` recipe as one estimator, for the outer evaluations: the
    teacher is fitted on the training rows, labels the pool sentences of the training rows'
    documents only (so no pool sentence of a held-out document or source is used), and the student
    is fitted on the gold plus those labels (zonelens.themes.distill.fit_distilled). Every document
    of the corpus DB has gold sentences, so this is every pool sentence outside the held-out
    documents (CV) or source (LOSO), as in ``distil_cv``; ``n_pool_`` says how many."""

    def __init__(self, teacher=None, student=None):
        self.teacher = teacher
        self.student = student

    def fit(self, X, Y, groups=None):
        from zonelens.themes.distill import fit_distilled

        teacher = clone(self.teacher).fit(X, Y, groups=groups)
        pool = _POOL["rows"]
        pool = pool[pool["doc_id"].isin(set(X["doc_id"]))]
        self.student_ = fit_distilled(teacher, self.student, X, np.asarray(Y), pool)
        self.thresholds_ = self.student_.thresholds_
        self.n_pool_ = len(pool)
        return self

    def predict_proba(self, X):
        return self.student_.predict_proba(X)


def build(name: str, themes) -> tuple[object, str, dict]:
    """(estimator, inner grouping, params) of a variant name."""
    inner = "source" if name.endswith("/src") else "document"
    spec = name.removesuffix("/src")
    d = re.fullmatch(r"distil\((\w+)>(\w+)\)", spec)
    if d is not None:
        t, st = (ThemeClassifier(themes=themes, **PRESETS[BASES[b]]) for b in d.groups())
        return Distilled(t, st), inner, {"teacher": BASES[d.group(1)], "student": BASES[d.group(2)],
                                         "pool": _POOL.get("n")}
    m = re.fullmatch(r"(\w+)\(([\w,]+)\)", spec)
    if m is None:  # one base: a one-model mean is that model (its thresholds are tuned on the same
        # out-of-fold probabilities), and its fits are shared with the ensembles that contain it
        spec, _, over = spec.partition("@")  # e.g. e5@embedding_weight=4,C=8
        params = {**PRESETS[BASES[spec]], **{k: json.loads(v) for k, v in (kv.split("=") for kv in over.split(",") if kv)}}
        return (SharedFitsEnsemble(estimators=(ThemeClassifier(themes=themes, **params),), head="mean"), inner,
                {"recipe": BASES[spec], **params})
    head, bases = m.group(1), m.group(2).split(",")
    ests = tuple(ThemeClassifier(themes=themes, **PRESETS[BASES[b]]) for b in bases)
    return SharedFitsEnsemble(estimators=ests, head=head), inner, {"head": head, "bases": [BASES[b] for b in bases]}


def rescore(out: Path, dirs: list[str], gold, data_hash: str, themes) -> None:
    """OUT.json's cv/loso metrics recomputed from each variant's saved predictions (VARIANT.npz)."""
    results = json.loads(out.with_suffix(".json").read_text("utf-8"))
    Y = label_matrix(gold, themes)
    key = {(d, int(i)): k for k, (d, i) in enumerate(zip(gold["doc_id"], gold["idx"]))}
    subsets = subsets_of(gold, natural=natural_sample(gold))
    args = (themes, gold["doc_id"].to_numpy(), gold["doc_complete"].to_numpy(), subsets)
    for tag, models in results.items():
        for name, r in models.items():
            path = next((Path(d) / fname(name) for d in dirs if (Path(d) / fname(name)).exists()), None)
            if path is None or r.get("data_hash") != data_hash:
                print(f"{name} [{tag}]: left as it was (no predictions, or other labels)")
                continue
            z = np.load(path)
            order = np.array([key[(d, int(i))] for d, i in zip(z["doc_id"], z["idx"])])
            for ev in ("cv", "loso"):
                if f"{ev}_pred" in z:
                    proba, pred = np.zeros(Y.shape), np.zeros(Y.shape, dtype=int)
                    proba[order], pred[order] = z[f"{ev}_proba"], z[f"{ev}_pred"]
                    r[ev] = metrics_by(Y, proba, pred, *args)
    out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
    out.with_suffix(".md").write_text(render(results, themes), "utf-8")


def summary(results: dict) -> list[str]:
    """One row per variant: macro-F1 in CV and LOSO, on all rows and on the natural sample."""
    out = ["| variant | inner splits | CV | CV natural | LOSO | LOSO natural | LOSO min theme F1 | LOSO national | "
           "LOSO ECE | LOSO whole-doc share MAE |", "|" + " --- |" * 10]
    for tag, models in results.items():
        for name, r in models.items():
            cv, lo = r["cv"], r["loso"]
            f = lambda m, k="macro_f1": "–" if m is None else f"{m[k]:.4f}"  # noqa: E731
            out.append(f"| {name} ({tag}) | {r.get('inner', 'document')} | {f(cv and cv['pooled'])} | "
                       f"{f(cv and cv.get('natural sample'))} | **{f(lo['pooled'])}** | **{f(lo.get('natural sample'))}** | "
                       f"{f(lo['pooled'], 'min_theme_f1')} | {f(lo.get('national'))} | {f(lo['pooled'], 'ece')} | "
                       f"{f(lo['pooled'], 'whole_doc_share_mae')} |")
    return out


def render(results: dict, themes) -> str:
    body = markdown(results, themes).split("\n", 1)[1].replace("`experiments/themes/loso.py`",
                                                                "`experiments/themes/plateau.py`", 1)
    return "\n".join(["# Plateau variants: LOSO and grouped CV", "",
                      "Summary (macro-F1; *natural*: the rows sampled at random, as seed documents or as whole "
                      "documents, i.e. with the theme mix of real reports; the others were targeted by keywords "
                      "or model uncertainty). Paired document-bootstrap intervals of the differences: `compare.md`. "
                      "Variants run with --loso-only have no CV column; the distilled recipe's grouped CV is the "
                      "one `zonelens train --teacher` reports (`models/themes-fast/cv_report.md`).",
                      "", *summary(results), "", "## Details", body])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--labels", default=str(HERE.parents[1] / "labels" / "annotations"))
    ap.add_argument("--rounds", help="only these annotation rounds, e.g. 1,2,3,4 (default: every file)")
    ap.add_argument("--variants", nargs="+", default=["fast", "fast/src"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--loso-only", action="store_true", help="skip the grouped CV (a quick screen)")
    ap.add_argument("--pool", type=int, default=0, help="distil(...) variants: the pool size, drawn as "
                    "`zonelens train --pool N` draws it (e5 embeddings cached by embed_gold.py --pool N)")
    ap.add_argument("--tag", default="current labels")
    ap.add_argument("--out", default=str(HERE / "plateau"))
    ap.add_argument("--predictions", help="a folder (outside the repository) for each variant's out-of-split "
                    "probabilities and decisions (VARIANT.npz), to score other subsets later")
    ap.add_argument("--merge", nargs="+", help="only merge these result files into OUT.json and render OUT.md")
    ap.add_argument("--rescore", nargs="+", metavar="DIR", help="only recompute OUT.json's metrics from the saved "
                    "predictions in these folders (after a change to the subsets or the labels' metadata) and render OUT.md")
    a = ap.parse_args()
    tax = load_taxonomy()
    out = Path(a.out)
    if a.merge:
        results: dict = {}
        for f in a.merge:
            for tag, models in json.loads(Path(f).read_text("utf-8")).items():
                results.setdefault(tag, {}).update(models)
        out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
        out.with_suffix(".md").write_text(render(results, tax.ids), "utf-8")
        return
    files = label_paths(a.labels, a.rounds)
    gold, data_hash = load_training_set(files, a.db, tax)
    if a.rescore:
        rescore(out, a.rescore, gold, data_hash, tax.ids)
        return
    results = json.loads(out.with_suffix(".json").read_text("utf-8")) if out.with_suffix(".json").exists() else {}
    _POOL["n"] = a.pool
    models = [build(v, tax.ids) for v in a.variants]
    bases = [e for m, _, _ in models for e in ((m.teacher, m.student) if isinstance(m, Distilled) else (m,))]
    rows = features_for(gold, a.db, *bases)  # one input with every column any variant reads
    if a.pool:
        from zonelens.themes.distill import pool_sentences

        pool = pool_sentences(a.db, set(zip(gold["doc_id"], gold["idx"].astype(int))), a.pool)
        _POOL["rows"] = features_for(pool, a.db, *bases)
    natural = natural_sample(gold)
    for name, (model, inner, params) in zip(a.variants, models):
        t0 = time.time()
        kept: dict = {}
        r = evaluate(model, rows, tax.ids, a.folds, inner=inner, cv=not a.loso_only, natural=natural, keep=kept)
        if a.predictions:
            np.savez_compressed(Path(a.predictions) / fname(name),
                                doc_id=rows["doc_id"].to_numpy().astype(str), idx=rows["idx"].to_numpy().astype(int),
                                **{f"{k}_{w}": v for k, (p, d) in kept.items() for w, v in (("proba", p), ("pred", d))})
        r.update(labels=f"{len(files)} files ({a.rounds and 'rounds ' + a.rounds or 'all rounds'}), "
                        f"{len(gold)} sentences, {gold['doc_id'].nunique()} documents",
                 data_hash=data_hash, params={**params, "inner": inner})
        results.setdefault(a.tag, {})[name] = r
        out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", "utf-8")
        out.with_suffix(".md").write_text(render(results, tax.ids), "utf-8")
        cv = f"CV {r['cv']['pooled']['macro_f1']:.4f}, " if r["cv"] else ""
        print(f"{name} [{a.tag}] ({time.time() - t0:.0f} s): {cv}LOSO pooled {r['loso']['pooled']['macro_f1']:.4f} "
              f"natural {r['loso']['natural sample']['macro_f1']:.4f} "
              f"(min {r['loso']['pooled']['min_theme_f1']:.3f}), "
              + ", ".join(f"{n} {v['macro_f1']:.3f}" for n, v in r["loso"].items() if n != "pooled"), flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
