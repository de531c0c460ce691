"""Theme classification: a multi-label scikit-learn classifier over the taxonomy's themes.

Names are imported lazily, so the compiled inference path never imports scikit-learn.
"""

__all__ = ["ThemeClassifier", "load_model", "save_model"]


def __getattr__(name):
    if name == "ThemeClassifier":
        from .model import ThemeClassifier

        return ThemeClassifier
    if name in ("load_model", "save_model"):
        from . import artifact

        return getattr(artifact, name)
    raise AttributeError(name)
