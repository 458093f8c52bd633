"""The app's dialogs: import (mapping and preview), export (preset, rows, fill-email), settings, crash report.

Each dialog is driven without `exec()` in tests: `show()` or `open()`, fill the widgets, click, read the result
signal. None of them writes to the store itself; the main window does that with what they return.
"""
