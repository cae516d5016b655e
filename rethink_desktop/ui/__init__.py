"""PySide6 windows and widgets; they call core/ and storage/, never SQL."""

# The Qt-free modules the main window needs are imported here, before any window imports
# PySide6: PySide6 reads the whole source of every module imported after it, looking for its
# ``__feature__`` switch, which cost start-up ~10 ms for these. Nothing else relies on it.
from rethink_desktop.core import agenda, cards, demo  # noqa: F401
from rethink_desktop.storage import eventlog, home_queries, records  # noqa: F401
