"""Quote sets: selection, cleaning, redaction, attribution and export."""
