"""Allow ``python -m rethink_desktop``."""

import sys

from rethink_desktop.cli import main

sys.exit(main())
