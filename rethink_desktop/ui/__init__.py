"""PySide6 windows and widgets; they call core/ and storage/, never SQL."""

# The Qt-free modules the main window needs are imported here, before any window imports
# PySide6: PySide6 reads the whole source of every module imported after it, looking for its
# ``__feature__`` switch, which cost start-up ~10 ms for these. Nothing else relies on it.
# (Plain imports: ``from … import records`` would shadow ``ui.records`` here.)
import rethink_desktop.core.agenda
import rethink_desktop.core.cards
import rethink_desktop.core.demo
import rethink_desktop.storage.eventlog
import rethink_desktop.storage.home_queries
import rethink_desktop.storage.records  # noqa: F401
