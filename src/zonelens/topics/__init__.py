"""Topic discovery (BERTopic): emergent clusters of sentences, as opposed to supervised *themes*.

Library API: :func:`fit_topics`, :func:`apply_topics`, :func:`load_topic_model`, :func:`topic_table`,
and the DataFrame helpers :func:`topic_prevalence`, :func:`topic_theme_crosstab`,
:func:`topics_over_time`. DB tables: ``topic_assignments`` and ``topic_info`` (see run.py).
"""

from .analysis import topic_prevalence, topic_theme_crosstab, topics_over_time
from .artifact import FORMAT_VERSION, load_topic_model, read_topic_meta
from .model import TopicModel, topic_tokenizer
from .params import DEFAULTS, merge_params
from .run import FitResult, apply_topics, assign_sentences, fit_topics, model_summary, topic_table

__all__ = ["DEFAULTS", "FORMAT_VERSION", "FitResult", "TopicModel", "apply_topics", "assign_sentences", "fit_topics",
           "load_topic_model", "merge_params", "model_summary", "read_topic_meta", "topic_prevalence",
           "topic_table", "topic_theme_crosstab", "topic_tokenizer", "topics_over_time"]
