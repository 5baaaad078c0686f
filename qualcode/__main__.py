"""``python -m qualcode``."""

from qualcode.cli import collect_less

collect_less()  # before the imports below: start-up is most of what it saves

from qualcode.cli.app import main  # noqa: E402

main()
