"""PySide6 windows, views, item models and dialogs: presentation only."""
