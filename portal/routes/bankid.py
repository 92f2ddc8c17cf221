"""BankID sign-in and signing pages (filled in by the BankID work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/bankid")
