"""Transcripts: the model, importers (one module per format), and the import pipeline."""
