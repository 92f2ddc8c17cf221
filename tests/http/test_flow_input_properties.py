"""F3: every step of the flow, posted with anything at all, answers the form again (422 with the
error summary, in the user's language) or moves on: never a 5xx, with or without htmx.

The steps come from the flow definition (``intake.flow.steps_for``) for a household in which
every step is active (last month known, children, "something changed", a rented home)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from intake import flow
from intake.flow import month_to_apply_for
from intake.models import Person
from portal import repository_flow
from portal.auth import household_of
from tests.conftest import csrf_of, login_pnr

MONTH = month_to_apply_for(dt.date.today())
SUMMARY = re.compile(r'class="error-summary"')
# Error summaries in two languages: the page is in the user's language, not in Swedish only.
SUMMARY_TITLE = {"en": "There is a problem", "sv": "Det finns ett problem"}


@pytest.fixture
def server(app) -> Any:  # type: ignore[no-untyped-def]
    # A 500 must show as a status, not as an exception raised into the test.
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        yield client


def _start(client: TestClient) -> None:
    response = client.post(
        "/applicant/apply",
        data={"csrf_token": csrf_of(client, "/applicant")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _url(key: str) -> str:
    return f"/applicant/apply/{MONTH}/step/{key}"


def _make_every_step_active(client: TestClient, token: str) -> None:
    for key, value in (("anything_changed", "yes"), ("housing_type", "rental")):
        response = client.post(
            _url(key), data={"value": value, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303, (key, response.status_code)


def _all_steps(
    client: TestClient, db: Session, new_household, language: str
) -> tuple[list[str], str, list[str]]:  # type: ignore[no-untyped-def]
    """Every step of the flow for a household in which all of them are active."""
    household = new_household(language, co_applicant=True, children=2)
    login_pnr(client, household.members[0].personnummer)
    _start(client)
    token = csrf_of(client, "/applicant")
    _make_every_step_active(client, token)
    db.expire_all()
    person = db.exec(
        select(Person).where(Person.personnummer == household.members[0].personnummer)
    ).one()
    home = household_of(db, person)
    assert home is not None
    application = repository_flow.application_for(db, home, MONTH)
    assert application is not None
    context = repository_flow.context_for(db, home, application)
    answers = repository_flow.answers_of(db, application.id)
    active = [step.key for step in flow.active_steps(answers, context)]
    assert active == [step.key for step in flow.steps_for(context)], "a step is not active"
    return active, token, [f"days_{child.id}" for child in context.children]


FIELDS = [
    "value",
    "confirm",
    "edit",
    "back",
    "upload_only",
    "none",
    "abroad",
    "methods",
    "phone",
    "email",
    "interpreter",
    "interpreter_language",
    "other_description",
    *[f"amount_{o}" for o in (*flow.INCOME_TYPES, *flow.COST_TYPES, *flow.LIVSFORING_TYPES)],
    *[f"bank_{i}" for i in range(7)],
    *[f"balance_{i}" for i in range(7)],
]
OPTION_VALUES = sorted(
    {
        "yes",
        "no",
        "changed",
        "1",
        "review",
        "sms",
        "email",
        *flow.CHANGE_KINDS,
        *flow.HOUSING_TYPES,
        *flow.INCOME_TYPES,
        *flow.ACTIVITIES,
        *flow.CONTACT_LANGUAGES,
    }
)
values = st.one_of(
    st.sampled_from(OPTION_VALUES),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "²",  # a digit to str.isdigit(), not to int()
            "٣",  # Arabic-Indic three
            "9" * 5000,  # beyond int()'s digit limit
            "1e999",
            "NaN",
            "12,345,67",
            "x" * 100_000,
            "<script>alert(1)</script>",
            "\x00",
            "%00",
            "7 850:-",
        ]
    ),
)


def forms(extra: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.tuples(st.sampled_from(FIELDS + extra), values), max_size=12)


def _post(client: TestClient, key: str, fields: list[tuple[str, str]], token: str, htmx: bool):  # type: ignore[no-untyped-def]
    headers = {"X-CSRF-Token": token}
    if htmx:
        headers["HX-Request"] = "true"
    # A list of pairs: repeated keys reach the server as they were sent.
    body = "&".join(f"{_q(name)}={_q(value)}" for name, value in fields)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return client.post(_url(key), content=body.encode(), headers=headers, follow_redirects=False)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _check(response, language: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.status_code in (204, 303, 422), response.status_code
    if response.status_code == 422:
        assert SUMMARY.search(response.text), response.text[:500]
        assert SUMMARY_TITLE[language] in response.text


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_continue_with_nothing_chosen_shows_the_form_again(
    server: TestClient, new_household, htmx: bool
) -> None:  # type: ignore[no-untyped-def]
    """The reported case: only the CSRF token in the form, on "Has anything changed?"."""
    household = new_household("sv")
    login_pnr(server, household.members[0].personnummer)
    _start(server)
    token = csrf_of(server, _url("anything_changed"))
    headers = {"HX-Request": "true"} if htmx else {}
    response = server.post(
        _url("anything_changed"),
        data={"csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 422, response.text[:300]
    assert SUMMARY_TITLE["sv"] in response.text
    assert 'name="value"' in response.text  # the question again, to answer


def test_a_file_where_a_value_belongs_is_an_error_not_a_crash(
    server: TestClient, new_household
) -> None:  # type: ignore[no-untyped-def]
    household = new_household("en")
    login_pnr(server, household.members[0].personnummer)
    _start(server)
    token = csrf_of(server, "/applicant")
    for key in ("anything_changed", "housing_type", "other_info"):
        response = server.post(
            _url(key),
            data={"csrf_token": token},
            files={"value": ("yes", b"yes", "text/plain")},
            follow_redirects=False,
        )
        assert response.status_code in (303, 422), (key, response.status_code)
        if response.status_code == 422:
            assert SUMMARY_TITLE["en"] in response.text


@pytest.mark.parametrize("language", ["en", "sv"])
def test_every_step_with_any_input_never_fails(
    server: TestClient, db: Session, new_household, language: str
) -> None:  # type: ignore[no-untyped-def]
    keys, token, child_fields = _all_steps(server, db, new_household, language)
    assert child_fields
    assert {"anything_changed", "changes", "children_days", "rent", "contact"} <= set(keys)
    assert any(k.startswith("incomes:") for k in keys) and any(
        k.startswith("activity:") for k in keys
    ), keys

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(key=st.sampled_from(keys), fields=forms(child_fields), htmx=st.booleans())
    def post_anything(key: str, fields: list[tuple[str, str]], htmx: bool) -> None:
        response = _post(server, key, fields, token, htmx)
        _check(response, language)
        if key in ("anything_changed", "housing_type") and response.status_code in (204, 303):
            _make_every_step_active(server, token)  # keep every step reachable

    post_anything()

    # Every step once with nothing at all, with and without htmx.
    for key in keys:
        for htmx in (False, True):
            _check(_post(server, key, [], token, htmx), language)
        _make_every_step_active(server, token)

    # The children's days with what str.isdigit() takes and int() does not.
    for raw in ("²", "٣", "9" * 5000, "+3", " 3 "):
        fields = [(name, raw) for name in child_fields]
        _check(_post(server, "children_days", fields, token, False), language)
