"""The anonymous bemötande survey, reached from a one-time link (filled in by the survey work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/survey")
