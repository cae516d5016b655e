"""PySide6 windows and widgets; they call core/ and storage/, never SQL."""
