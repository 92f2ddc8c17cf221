"""The hand-off REST API for the municipality's case system (filled in by the officer work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
