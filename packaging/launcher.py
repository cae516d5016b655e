"""Entry point of the frozen build: the same ``main`` as the installed ``rethink-desktop``."""

from __future__ import annotations

import sys

from rethink_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
