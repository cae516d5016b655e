"""Entry point of the frozen build: the same ``main`` as the installed ``rethink-desktop``."""

from __future__ import annotations

import multiprocessing
import sys

from rethink_desktop.cli import main

if __name__ == "__main__":
    # A large import reads half its file in a second process started from this very
    # program (reports/import_parts.py); in that process this runs its part and exits.
    multiprocessing.freeze_support()
    sys.exit(main())
