"""Labelling: annotation files, sampling, task export/import, agreement and statistics.

The themes come from a :class:`~zonelens.taxonomy.Taxonomy` (``labels/themes.yaml`` by
default); every function here takes the taxonomy as data, so a different themes file gives a
different set of themes without code changes.
"""

from __future__ import annotations

from .annotations import (
    Annotation,
    Ref,
    Unresolved,
    read_annotations,
    read_many,
    resolve,
    write_annotations,
)

__all__ = [
    "Annotation",
    "Ref",
    "Unresolved",
    "read_annotations",
    "read_many",
    "resolve",
    "write_annotations",
]
