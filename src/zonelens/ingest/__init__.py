"""Ingest stage: read files, clean the text, infer zone and year, segment and store (:mod:`.run`;
on Dask: :mod:`.distributed`)."""
