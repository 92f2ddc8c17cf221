"""Queries for BankID orders (``EidOrder``).

State changes are conditional updates (``... WHERE status = 'pending'``): two requests collecting
the same order at once (the htmx poll and a click on "Update") never both act on its outcome.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from intake.models import EidOrder
from portal.bankid import PENDING, Order

USED = "used"  # a completed signature that the application flow has recorded


def create_order(
    db: Session,
    started: Order,
    *,
    kind: str,
    browser_token_hash: str,
    return_to: str,
    application_id: int | None = None,
    person_id: int | None = None,
) -> EidOrder:
    order = EidOrder(
        order_ref=started.order_ref,
        kind=kind,
        browser_token_hash=browser_token_hash,
        application_id=application_id,
        person_id=person_id,
        qr_start_token=started.qr_start_token,
        qr_start_secret=started.qr_start_secret,
        auto_start_token=started.auto_start_token,
        return_to=return_to,
        hint_code="outstandingTransaction",  # where every order starts at BankID
    )
    db.add(order)
    db.commit()
    db.refresh(order)
    return order


def order_by_id(db: Session, order_id: int) -> EidOrder | None:
    return db.get(EidOrder, order_id)


def pending_orders_of(db: Session, person_id: int, kind: str) -> list[EidOrder]:
    return list(
        db.exec(
            select(EidOrder)
            .where(EidOrder.person_id == person_id)
            .where(EidOrder.kind == kind)
            .where(EidOrder.status == PENDING)
        ).all()
    )


def _change(db: Session, order: EidOrder, expected: str, values: dict[str, Any]) -> bool:
    """Apply ``values`` if the order still has status ``expected``; True if this call did."""
    assert order.id is not None
    result = db.exec(
        update(EidOrder)
        .where(col(EidOrder.id) == order.id)
        .where(col(EidOrder.status) == expected)
        .values(**values)
    )
    db.commit()
    db.refresh(order)
    return result.rowcount == 1


def set_pending_hint(db: Session, order: EidOrder, hint_code: str | None) -> None:
    if order.hint_code != hint_code:
        _change(db, order, PENDING, {"hint_code": hint_code})


def finish_order(
    db: Session,
    order: EidOrder,
    *,
    status: str,
    hint_code: str | None = None,
    person_id: int | None = None,
) -> bool:
    """Pending → complete or failed, once. The QR secret and autostart token are dropped:
    they are of no use any more. The personnummer is not copied here: it lives in ``Person``."""
    values: dict[str, Any] = {
        "status": status,
        "hint_code": hint_code,
        "qr_start_secret": None,
        "auto_start_token": None,
    }
    if person_id is not None:
        values["person_id"] = person_id
    return _change(db, order, PENDING, values)


def use_signature(db: Session, order: EidOrder) -> bool:
    """Complete → used, once: the signature has been recorded."""
    return _change(db, order, "complete", {"status": USED})
