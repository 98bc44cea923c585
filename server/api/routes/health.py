"""Liveness and version: /api/v1/health."""

from __future__ import annotations

from fastapi import APIRouter

import app
from server.api.deps import State
from server.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(state: State) -> Health:
    return Health(status="ok", version=app.__version__,
                  min_client_version=state.settings.min_client_version)
