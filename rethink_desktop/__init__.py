"""Re-Think Desktop: timer, equal-voice rotation and process records for Re-Think meetings."""

from importlib import metadata

APP_NAME = "rethink-desktop"
APP_DISPLAY_NAME = "Re-Think Desktop"

try:
    __version__ = metadata.version("rethink-desktop")
except metadata.PackageNotFoundError:  # pragma: no cover - frozen build without metadata
    __version__ = "0+unknown"
