"""Who is invited after a decision, and when the reminder and expiry come."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.survey.invitations import (
    InvitationRules,
    add_months,
    decide,
    expires_at,
    months_between,
    pause_until,
    reminder_due,
)

RULES = InvitationRules(sampling_rate=0.3, months_between=6, reminder_days=7, expiry_days=28)


def _decide(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "enabled": True,
        "protected_identity": False,
        "has_open_invitation": False,
        "paused_until": None,
        "this_month": "2026-05",
        "draw": 0.1,
    }
    arguments.update(overrides)
    return decide(RULES, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "outcome"),
    [
        ({}, "invite"),
        ({"enabled": False}, "disabled"),
        ({"protected_identity": True}, "protected"),
        ({"protected_identity": True, "draw": 0.0}, "protected"),
        ({"has_open_invitation": True}, "open"),
        ({"paused_until": "2026-06"}, "paused"),
        ({"paused_until": "2026-05"}, "invite"),  # the pause is over from this month
        ({"paused_until": "2025-11"}, "invite"),
        ({"draw": 0.3}, "not_sampled"),
        ({"draw": 0.2999}, "invite"),
    ],
)
def test_decide(overrides: dict[str, object], outcome: str) -> None:
    assert _decide(**overrides) == outcome


def test_sampling_rate_zero_and_one() -> None:
    never = InvitationRules(sampling_rate=0.0)
    always = InvitationRules(sampling_rate=1.0)
    common = {
        "enabled": True,
        "protected_identity": False,
        "has_open_invitation": False,
        "paused_until": None,
        "this_month": "2026-05",
    }
    assert decide(never, draw=0.0, **common) == "not_sampled"  # type: ignore[arg-type]
    assert decide(always, draw=0.999999, **common) == "invite"  # type: ignore[arg-type]


def test_pause_and_months() -> None:
    assert pause_until(RULES, "2026-09") == "2027-03"
    assert add_months("2026-01", -1) == "2025-12"
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-02", "2026-01") == []


def test_reminder_after_seven_days_once_and_only_while_open() -> None:
    sent = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    expires = expires_at(RULES, sent)
    assert expires == dt.datetime(2026, 5, 29, 10, tzinfo=dt.UTC)

    def due(now: dt.datetime, reminded: bool = False) -> bool:
        return reminder_due(RULES, created=sent, expires=expires, reminded=reminded, now=now)

    assert not due(sent + dt.timedelta(days=6, hours=23))
    assert due(sent + dt.timedelta(days=7))
    assert not due(sent + dt.timedelta(days=8), reminded=True)
    assert not due(expires)


@pytest.mark.parametrize(
    "bad",
    [
        {"sampling_rate": 1.5},
        {"sampling_rate": -0.1},
        {"months_between": -1},
        {"reminder_days": 0},
        {"expiry_days": 0},
    ],
)
def test_nonsense_rules_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        InvitationRules(**bad)  # type: ignore[arg-type]
