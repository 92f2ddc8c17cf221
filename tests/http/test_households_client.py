"""A client generated from the portal's /openapi.json with openapi-python-client, as a case
system's developer would make one, upserts and closes households against a live server."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from portal.repository_handoff import create_token
from tests.browser.conftest import serve_in_thread
from tests.households_support import external_id, household_body

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def live(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="module")
def generated(live: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "openapi.json"
    schema.write_bytes(httpx.get(f"{live}/openapi.json").content)
    subprocess.run(  # noqa: S603 - our own generator, our own paths
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(folder / "portal_api_client"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("portal_api_client")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.startswith("portal_api_client")]:
            del sys.modules[name]


def test_the_generated_client_upserts_and_closes(generated: Any, live: str, db: Session) -> None:
    put = importlib.import_module("portal_api_client.api.households.put_household")
    close = importlib.import_module("portal_api_client.api.households.close_household")
    models = importlib.import_module("portal_api_client.models")
    _row, token = create_token(db, "generated client", "tests")
    client = generated.AuthenticatedClient(base_url=live, token=token)
    key, body = external_id(), household_body()

    created = put.sync_detailed(
        client=client, external_id=key, body=models.HouseholdIn.from_dict(body)
    )
    assert created.status_code == 201, created.content
    household = models.HouseholdOut.from_dict(created.parsed.to_dict())
    assert household.external_id == key and len(household.members) == 2

    again = put.sync_detailed(
        client=client, external_id=key, body=models.HouseholdIn.from_dict(body)
    )
    assert again.status_code == 200
    assert again.parsed.id == household.id

    closed = close.sync_detailed(
        client=client, external_id=key, body=models.CloseIn(reason="Moved away")
    )
    assert closed.status_code == 200
    assert closed.parsed.close_reason == "Moved away" and closed.parsed.closed_at

    # A refusal is problem details, parsed into the Problem model.
    refused = put.sync_detailed(
        client=client, external_id=key, body=models.HouseholdIn.from_dict(body)
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [p["code"] for p in httpx.Response(409, content=refused.content).json()["problems"]] == [
        "household_closed"
    ]
    missing = close.sync_detailed(
        client=client, external_id=external_id(), body=models.CloseIn(reason="x")
    )
    assert missing.status_code == 404
