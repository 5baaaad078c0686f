"""Overlays of the coding screen: help, memo and jump."""
