"""Re-Think Desktop: timer, equal-voice rotation and process records for Re-Think meetings."""

APP_NAME = "rethink-desktop"
APP_DISPLAY_NAME = "Re-Think Desktop"

try:
    # Generated from pyproject.toml by the build (hatchling's version hook).
    from rethink_desktop._version import __version__
except ImportError:  # pragma: no cover - a bare source tree that was never installed
    from importlib import metadata

    try:
        __version__ = metadata.version("rethink-desktop")
    except metadata.PackageNotFoundError:
        __version__ = "0+unknown"
