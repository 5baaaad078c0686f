"""The full study report: tables and charts in Markdown and Word."""
