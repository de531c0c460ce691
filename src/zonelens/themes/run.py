"""Library entry points behind `zonelens train | evaluate | apply` (`classify`, which reads texts
rather than the corpus DB, is :mod:`.classify`)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .. import store
from ..errors import UsageError, ZonelensError
from ..hashing import text_hash
from ..embed import E5Embedder, embedder_name, get_embedder
from ..taxonomy import Taxonomy, load_taxonomy
from .artifact import load_model, save_model
from .context import WITH_NEIGHBOURS
from .features import corpus_input, features_for, uses_context
from .metrics import theme_metrics
from .model import ThemeClassifier
from .training import (grouped_cv, label_matrix, load_training_set, sentence_hashes,
                       unresolved_warning)

PRESETS = {  # experiments/themes/grid.md, context.md
    "themes": {"use_embeddings": True, "use_words": False, "embedding_weight": 2.0, "C": 16.0,
               "context_weight": 1.0, "context_dropout": 0.2},
    "themes-fast": {"use_embeddings": False, "use_words": True, "C": 4.0, "context_text_weight": 0.6,
                    "context_dropout": 0.2},
}


def check_params(params: dict | None, preset: str = "themes") -> dict:
    """ThemeClassifier parameters (a preset updated by ``params``), checked before any work: known
    names, value types like the defaults', and the context vector only with embeddings. UsageError
    on the first problem."""
    import inspect

    sig = inspect.signature(ThemeClassifier.__init__).parameters
    allowed = {k: v.default for k, v in sig.items() if k not in ("self", "themes", "tokenizer", "embedder")}
    params = params or {}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise UsageError(f"unknown ThemeClassifier parameter(s) {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(allowed))})")
    for k, v in params.items():
        d = allowed[k]
        ok = (isinstance(v, bool) if isinstance(d, bool) else
              isinstance(v, (int, float)) and not isinstance(v, bool) if isinstance(d, (int, float)) else
              isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) for x in v)
              if isinstance(d, tuple) else True)
        if not ok:
            raise UsageError(f"parameter {k}: {v!r} is not like its default {d!r}")
    merged = {**PRESETS.get(preset, PRESETS["themes"]), **params}
    if merged.get("context_weight") and not merged.get("use_embeddings", True):
        raise UsageError(f"context_weight {merged['context_weight']} needs use_embeddings (the context vector is "
                         "the neighbours' e5 embedding): set context_weight to 0 (context_text_weight reads the "
                         "neighbours' text instead) or use_embeddings to true")
    return merged
def model_embedder(model) -> str | None:
    """``e5`` or ``static``: the embedder a theme model reads; None for a model without embeddings."""
    if not getattr(model, "use_embeddings", False):
        return None
    return getattr(model.embedder, "kind", "e5") if model.embedder is not None else "e5"


def check_embedder(name, model, embedder: str | None) -> None:
    """Refuse a theme model fitted with the other embedder than the one asked (one error line)."""
    have = model_embedder(model)
    if embedder_name(embedder) is not None and have is not None and have != embedder:
        raise ZonelensError(f"{name or 'themes'}: theme model fitted with {have} embeddings, not {embedder}; "
                            f"retrain it with `zonelens train --embedder {embedder}`, or use a model without "
                            "embeddings (themes-fast)")


def train_model(labels: Iterable, db, out: str | Path, params: dict | None = None, folds: int = 5,
                taxonomy: Taxonomy | None = None, teacher: str | Path | None = None, pool: int = 0,
                pool_db=None, pool_like: str = "%", seed: int = 0,
                warn: Callable[[str], None] | None = None, embedder: str | None = None) -> tuple[Path, dict]:
    """Grouped k-fold CV by document, then fit on all labels and save the model with its report.

    With ``teacher`` (a model name or path) and ``pool`` > 0, the model is distilled: also trained
    on the teacher's labels of ``pool`` unlabelled body sentences of ``pool_db`` (default ``db``)
    whose document path is LIKE ``pool_like``; the CV refits the teacher per fold
    (:mod:`zonelens.themes.distill`)."""
    out = Path(out)
    params = check_params(params, out.name)
    tax = taxonomy or load_taxonomy()
    model = ThemeClassifier(themes=tax.ids, **params)
    if model.use_embeddings and embedder not in (None, "e5"):
        model.set_params(embedder=get_embedder(embedder))
    gold, data_hash = load_training_set(labels, db, tax)
    for w in unresolved_warning(gold):
        (warn or (lambda _m: None))(w)
    Y = label_matrix(gold, tax.ids)
    distilled = {}
    if teacher is not None and pool > 0:
        from .distill import distil_cv, fit_distilled, pool_hash, pool_sentences

        tmodel, tmeta = load_model(teacher, tax)
        if tmeta["training_data"]["hash"] != data_hash:
            raise ZonelensError(f"teacher {teacher} was trained on other labels (data hash "
                                f"{tmeta['training_data']['hash']}, these are {data_hash}); retrain it first")
        teacher0 = ThemeClassifier(themes=tax.ids, **{k: v for k, v in tmeta["params"].items() if k != "themes"})
        gold = features_for(gold, db, teacher0, model)
        sample = pool_sentences(pool_db or db, set(zip(gold["doc_id"], gold["idx"].astype(int))), pool, seed,
                                pool_like)
        sample = features_for(sample, pool_db or db, teacher0, model)
        metrics = distil_cv(teacher0, model, gold, Y, sample, folds)
        model = fit_distilled(tmodel, model, gold, Y, sample)
        distilled = {"distillation": {"teacher": model_id_of(tmeta), "pool": int(len(sample)),
                                      "pool_db": Path(pool_db or db).name, "pool_like": pool_like,
                                      "pool_hash": pool_hash(sample), "seed": seed}}
    else:
        gold = features_for(gold, db, model)
        metrics, _ = grouped_cv(model, gold, tax.ids, folds)
        model.fit(gold, Y, groups=gold["doc_id"].to_numpy())
    meta = {"params": {k: v for k, v in model.get_params().items() if k not in ("tokenizer", "embedder")},
            "training_data": {"hash": data_hash, "sentences": int(len(gold)),
                              "skipped_annotations": int(gold.attrs.get("unresolved", 0)),
                              "sentence_hashes": sentence_hashes(gold),
                              "documents": int(gold["doc_id"].nunique()),
                              "positives": {t: int(Y[:, j].sum()) for j, t in enumerate(tax.ids)}},
            **distilled,
            "embedder": model_embedder(model),
            **({"embedding_model": (model.embedder or E5Embedder()).model_id} if model.use_embeddings else {}),
            "thresholds": dict(zip(tax.ids, map(float, model.thresholds_))),
            "cv": {"folds": folds, "grouped_by": "document", **metrics}}
    save_model(model, out, tax, meta)
    (out / "cv_report.md").write_text(report_markdown(out.name, {**metrics, "folds": folds}), encoding="utf-8")
    return out, metrics


def report_markdown(name: str, m: dict, heading: str | None = None) -> str:
    """The metrics as Markdown; ``heading`` replaces the cross-validation title (e.g. for `evaluate`)."""
    title = heading or f"grouped {m.get('folds', 5)}-fold cross-validation by document"
    lines = [f"# {name}: {title}", "",
             f"{m['n_sentences']} sentences, {m['n_documents']} documents. macro-F1 **{m['macro_f1']}**, "
             f"min theme F1 {m['min_theme_f1']}, ECE {m['ece']}, "
             f"per-document share MAE {m['doc_share_mae']} (count of decisions), "
             f"{m.get('doc_share_mae_prob', '–')} (mean probability)."
             + (f" On the {m['n_whole_documents']} documents labelled in full, the share MAE of the whole document is "
                f"{m['whole_doc_share_mae_prob']} (mean probability)." if "n_whole_documents" in m else "")
             + (f" Sentences on their own (no neighbouring sentences as context, as `classify` sees them): macro-F1 "
                f"{m['without_context']['macro_f1']}." if "without_context" in m else ""), "",
             "| theme | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    for t, v in m["per_theme"].items():
        lines.append(f"| {t} | {v['precision']} | {v['recall']} | {v['f1']} | {v['support']} |")
    labels = list(m["primary_confusion"])
    lines += ["", "Primary theme confusion (rows gold, columns predicted):", "",
              "| gold \\ pred | " + " | ".join(labels) + " |", "|" + " --- |" * (len(labels) + 1)]
    for g in labels:
        lines.append(f"| {g} | " + " | ".join(str(m["primary_confusion"][g][p]) for p in labels) + " |")
    return "\n".join(lines) + "\n"


def evaluate_model(model_name, labels: Iterable, db, warn: Callable[[str], None] | None = None) -> dict:
    """Metrics of a saved model on labelled sentences (use labels it was NOT trained on): warns on
    annotations that do not resolve (skipped) and on sentences the model was trained on."""
    tax = load_taxonomy()
    model, meta = load_model(model_name, tax)
    gold, data_hash = load_training_set(labels, db, tax)
    warn = warn or (lambda _m: None)
    for w in unresolved_warning(gold):
        warn(w)
    trained = set(meta.get("training_data", {}).get("sentence_hashes", []))
    overlap = sum(text_hash(t) in trained for t in gold["text"]) if trained else None
    if overlap:
        warn(f"{overlap} of {len(gold)} sentences were in the model's training data: these figures are not "
             "held-out (see cv_report.md for cross-validated ones)")
    gold = features_for(gold, db, model)
    proba = model.predict_proba(gold)
    pred = (proba >= model.thresholds_).astype(int)
    m = theme_metrics(label_matrix(gold, tax.ids), proba, pred, tax.ids, gold["doc_id"].to_numpy())
    m["same_data_as_training"] = data_hash == meta.get("training_data", {}).get("hash")
    m["training_overlap"] = overlap  # None: the model does not record its training sentences
    m["skipped_annotations"] = int(gold.attrs.get("unresolved", 0))
    return m


class CorpusModel:
    """A theme model reading corpus sentence rows as `apply` does: with the features it was trained
    on (cached embeddings, the neighbouring sentences) from the corpus DB. For uncertainty sampling
    (``zonelens label sample --strategy uncertain``)."""

    def __init__(self, model, db):
        self.model, self.db = model, db

    @property
    def themes(self):
        return self.model.themes

    def predict_rows(self, rows: pd.DataFrame):
        rows = rows[["doc_id", "idx", "text"]].reset_index(drop=True)
        return self.model.predict_proba(features_for(rows, self.db, self.model))

    def predict_proba(self, texts):
        return self.model.predict_proba(texts)


def corpus_model(name_or_path, db) -> CorpusModel:
    """A verified theme model (name or directory, checked against the taxonomy in use) for corpus rows."""
    return CorpusModel(load_model(name_or_path, load_taxonomy())[0], db)


def prediction_frame(model, model_id: str, part: pd.DataFrame) -> pd.DataFrame:
    """Classify sentence rows (doc_id, idx, text[, heading_path, embedding]) into theme_predictions rows."""
    proba = model.predict_proba(part)
    decided = model.decide(proba)
    return pd.DataFrame({"doc_id": part["doc_id"].to_numpy(), "idx": part["idx"].to_numpy(),
                         "model_id": model_id, "themes": [d[0] for d in decided],
                         "primary": [d[1] for d in decided], "keys": [list(model.themes)] * len(part),
                         "vals": [list(map(float, r)) for r in proba]})


def store_predictions(con, frame: pd.DataFrame) -> None:
    """Insert (or replace) a prediction_frame in theme_predictions, in one transaction."""
    con.register("new_preds", frame)
    try:
        with store.transaction(con):
            con.execute("""INSERT OR REPLACE INTO theme_predictions SELECT doc_id, idx, model_id, themes,
                           "primary", map(keys, vals) FROM new_preds""")
    finally:
        con.unregister("new_preds")


def model_id_of(meta: dict) -> str:
    return f"{meta['name']}@{meta['artifact']['sha256'][:12]}"


def apply_model(db=store.DEFAULT_DB, model_name=None, batch: int | None = None,
                progress: Callable[[int, int], None] | None = None, embedder: str | None = None, *,
                dask: str | None = None, **on_dask) -> dict:
    """Classify every sentence of the corpus not yet classified by this model (resumable, idempotent).
    ``embedder`` (e5 or static), when given, must be the one the model was fitted with.

    Sentences are streamed from DuckDB in chunks of about ``batch`` rows (default 4096; a second
    cursor reads while the first one writes), so memory does not grow with the corpus. With
    ``dask`` (a scheduler address or ``local:N``) the same rows are made on a Dask cluster, and
    ``on_dask`` takes that executor's options (``parquet``, ``stage``, ``window``,
    ``rows_per_part``; :func:`zonelens.themes.distributed.apply_on_dask`)."""
    if dask is not None:
        from .distributed import apply_on_dask

        return apply_on_dask(db, model_name, dask=dask, progress=progress, embedder=embedder,
                             **({} if batch is None else {"batch": batch}), **on_dask)
    if on_dask:
        raise UsageError(f"{', '.join(sorted(on_dask))} need(s) dask")
    batch = batch or 4096
    model, meta = load_model(model_name, load_taxonomy())
    check_embedder(model_name, model, embedder)
    model_id = model_id_of(meta)
    con = store.connect(db)
    todo = """WHERE NOT EXISTS (SELECT 1 FROM theme_predictions p WHERE p.doc_id = s.doc_id
              AND p.idx = s.idx AND p.model_id = ?)"""
    source = f"({WITH_NEIGHBOURS}) s" if uses_context(model) else "sentences s"
    try:
        store.create(con, "theme_predictions")
        total = con.execute(f"SELECT count(*) FROM sentences s {todo}", [model_id]).fetchall()[0][0]
        reader = con.cursor()
        try:
            reader.execute(f"SELECT * FROM {source} {todo}", [model_id])
            while True:
                part = reader.fetch_df_chunk(max(1, batch // 2048))
                if not len(part):
                    break
                part = corpus_input(con, part, model)
                store_predictions(con, prediction_frame(model, model_id, part))
                if progress:
                    progress(len(part), total)
        finally:
            reader.close()
    finally:
        con.close()
    return {"model_id": model_id, "classified": int(total)}
