"""Reusable widgets: field editors, record forms, pickers."""
