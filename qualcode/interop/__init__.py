"""Exchange with other tools: REFI-QDA projects, coder bundles."""
