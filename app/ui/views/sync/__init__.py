"""The 同步 view (package: one panel per tab)."""

from app.ui.views.sync.view import SyncView

__all__ = ["SyncView"]
