"""Reproducible demo data for a separate demo profile (which never syncs)."""

from app.storage.demo.generator import (
    MAX_SIZE,
    GenerationCancelled,
    generate,
    has_own_records,
    is_demo,
)

__all__ = ["GenerationCancelled", "MAX_SIZE", "generate", "has_own_records", "is_demo"]
