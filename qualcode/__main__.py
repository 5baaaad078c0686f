"""``python -m qualcode``."""

from qualcode.cli.app import main

main()
