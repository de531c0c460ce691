"""Ingest stage: read files, clean the text, infer zone and year."""
