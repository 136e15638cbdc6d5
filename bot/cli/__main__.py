"""``python -m bot.cli …`` is the same as the ``minqing`` console script."""

from bot.cli import main

main()
