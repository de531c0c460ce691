"""Theme classification: a multi-label scikit-learn classifier over the taxonomy's themes."""

from .artifact import load_model, save_model
from .model import ThemeClassifier

__all__ = ["ThemeClassifier", "load_model", "save_model"]
