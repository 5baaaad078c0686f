"""The coding screen's panes: transcript, codebook and suggestions."""
