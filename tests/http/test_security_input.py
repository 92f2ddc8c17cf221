"""Input the database cannot hold is the request's fault: a 400 page, never a 500. Found by the
OpenAPI fuzzer on PostgreSQL (ids beyond its 32-bit integers) and SQLite (beyond 64 bits)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import check_page, login_staff

PATHS = [
    "/bankid/orders/{n}",
    "/officer/applications/{n}",
    "/officer/applications/1/attachments/{n}",
    "/informator/attachments/{n}/pages/1",
]


def test_an_id_beyond_the_database_range_is_a_bad_request(app) -> None:  # type: ignore[no-untyped-def]
    answers = {}
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        login_staff(client, "teamledare")
        for path in PATHS:
            for number in (2**31, 2**63, 10**30):
                response = client.get(path.format(n=number), headers={"Accept-Language": "en"})
                answers[path, number] = response.status_code
                check_page(response.text)
                assert "Traceback" not in response.text
    assert set(answers.values()) <= {400, 404}, answers
    assert answers["/bankid/orders/{n}", 10**30] == 400  # beyond every database's integers
