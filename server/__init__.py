"""The central sync server (FastAPI + SQLAlchemy Core)."""
