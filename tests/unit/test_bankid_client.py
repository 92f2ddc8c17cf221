"""The RP API client against the fake BankID server, over real mutual TLS."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.bankid import (
    ERROR_CODES,
    FAILED_HINTS,
    BankIdClient,
    BankIdError,
    qr_data,
)
from tests.fake_bankid import FakeBankId, InvalidQrCode, NoUsableBankId, complete

PNR = "198503122387"
IP = "192.0.2.10"


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeBankId]:
    with FakeBankId(tmp_path_factory.mktemp("bankid")) as server:
        yield server


@pytest.fixture(scope="module")
def client(fake: FakeBankId) -> Iterator[BankIdClient]:
    bankid = BankIdClient(fake.settings())
    yield bankid
    bankid.close()


def test_auth_starts_an_order(fake: FakeBankId, client: BankIdClient) -> None:
    order = client.auth(IP)
    assert order.order_ref and order.auto_start_token and order.qr_start_token
    assert order.qr_start_secret
    method, body = fake.calls[-1]
    assert method == "auth"
    assert body == {"endUserIp": IP}
    collected = client.collect(order.order_ref)
    assert (collected.status, collected.hint_code, collected.user) == (
        "pending",
        "outstandingTransaction",
        None,
    )


def test_sign_sends_the_text_as_base64_utf8_and_demands_the_person(
    fake: FakeBankId, client: BankIdClient
) -> None:
    text = "Ansökan om ekonomiskt bistånd för augusti 2026.\nHushåll: Anna Lindqvist."
    order = client.sign(
        IP, text, user_non_visible_data="application 17", requirement={"personalNumber": PNR}
    )
    _, body = fake.calls[-1]
    assert base64.b64decode(body["userVisibleData"]).decode("utf-8") == text
    assert body["requirement"] == {"personalNumber": PNR}
    started = fake.order(order.order_ref)
    assert started.kind == "sign" and started.user_visible_data == text
    assert started.user_non_visible_data == "application 17"
    client.cancel(order.order_ref)


def test_collect_follows_the_hint_codes_to_complete(fake: FakeBankId, client: BankIdClient) -> None:
    order = client.auth(IP)
    fake.script(
        order.order_ref, "noClient", "started", "userSign", complete(PNR, "Anna", "Lindqvist")
    )
    hints = [client.collect(order.order_ref).hint_code for _ in range(3)]
    assert hints == ["noClient", "started", "userSign"]
    done = client.collect(order.order_ref)
    assert done.status == "complete" and done.hint_code is None
    assert done.user is not None
    assert (done.user.personal_number, done.user.given_name, done.user.surname) == (
        PNR,
        "Anna",
        "Lindqvist",
    )
    assert done.signature and done.ocsp_response and done.bankid_issue_date
    # A collected final status is gone from BankID.
    with pytest.raises(BankIdError) as gone:
        client.collect(order.order_ref)
    assert gone.value.error_code == "invalidParameters" and gone.value.http_status == 400


@pytest.mark.parametrize("hint", sorted(FAILED_HINTS))
def test_collect_reports_each_failure(fake: FakeBankId, client: BankIdClient, hint: str) -> None:
    order = client.auth(IP)
    fake.script(order.order_ref, "userSign", hint)
    assert client.collect(order.order_ref).status == "pending"
    failed = client.collect(order.order_ref)
    assert (failed.status, failed.hint_code) == ("failed", hint)


def test_cancel_ends_the_order(fake: FakeBankId, client: BankIdClient) -> None:
    order = client.auth(IP)
    client.cancel(order.order_ref)
    assert fake.calls[-1] == ("cancel", {"orderRef": order.order_ref})
    with pytest.raises(BankIdError) as exc:
        client.collect(order.order_ref)
    assert exc.value.error_code == "invalidParameters"


def test_already_in_progress_stops_both_orders(fake: FakeBankId, client: BankIdClient) -> None:
    first = client.sign(IP, "Första", requirement={"personalNumber": PNR})
    with pytest.raises(BankIdError) as exc:
        client.sign(IP, "Andra", requirement={"personalNumber": PNR})
    assert exc.value.error_code == "alreadyInProgress"
    assert exc.value.message_code == "rfa4"
    collected = client.collect(first.order_ref)
    assert (collected.status, collected.hint_code) == ("failed", "cancelled")


@pytest.mark.parametrize("error", sorted(ERROR_CODES - {"alreadyInProgress"}))
def test_error_responses(fake: FakeBankId, client: BankIdClient, error: str) -> None:
    fake.fail_next("auth", error)
    with pytest.raises(BankIdError) as exc:
        client.auth(IP)
    assert exc.value.error_code == error
    assert exc.value.http_status and exc.value.http_status >= 400


def test_parameters_are_checked_by_the_server(client: BankIdClient) -> None:
    with pytest.raises(BankIdError) as exc:
        client.auth("not-an-address")
    assert exc.value.error_code == "invalidParameters"
    with pytest.raises(ValueError, match="1500"):
        client.sign(IP, "x" * 1200)  # 1 600 characters after base64


def test_a_client_certificate_from_another_ca_is_refused(fake: FakeBankId) -> None:
    cert, key = fake.stranger_certificate()
    before = len(fake.tls_failures)
    intruder = BankIdClient(fake.settings(cert=cert, key=key))
    with pytest.raises(BankIdError) as exc:
        intruder.auth(IP)
    intruder.close()
    assert exc.value.error_code == "transportError"
    assert exc.value.message_code == "rfa5"
    failures = fake.wait_for_tls_failures(before + 1)
    assert any("certificate" in str(failure).lower() for failure in failures[before:])


def test_a_server_signed_by_another_ca_is_not_trusted(fake: FakeBankId, tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(fake.client_ca.cert_pem.bytes())  # a real CA, but not the server's
    calls = len(fake.calls)
    doubtful = BankIdClient(fake.settings(ca=other_ca))
    with pytest.raises(BankIdError) as exc:
        doubtful.auth(IP)
    doubtful.close()
    assert exc.value.error_code == "transportError"
    assert "certificate verify failed" in exc.value.details
    assert len(fake.calls) == calls


def test_the_fake_checks_the_qr_codes_hmac_and_time(fake: FakeBankId, client: BankIdClient) -> None:
    order = client.auth(IP)
    good = qr_data(order.qr_start_token, order.qr_start_secret, 0)
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidQrCode, match="HMAC"):
        fake.scan(forged, PNR)
    with pytest.raises(InvalidQrCode, match="HMAC"):
        fake.scan(qr_data(order.qr_start_token, "guessed-secret", 0), PNR)
    with pytest.raises(InvalidQrCode, match="second 60"):
        fake.scan(qr_data(order.qr_start_token, order.qr_start_secret, 60), PNR)  # future
    fake.order(order.order_ref).created = time.monotonic() - 30
    with pytest.raises(InvalidQrCode, match="second 0"):
        fake.scan(good, PNR)  # a code from 30 seconds ago: a photo of an old screen
    fake.scan(qr_data(order.qr_start_token, order.qr_start_secret, 30), PNR, finish=False)
    assert client.collect(order.order_ref).hint_code == "userSign"
    assert client.collect(order.order_ref).status == "complete"


def test_the_fake_offers_only_the_required_persons_bankid(
    fake: FakeBankId, client: BankIdClient
) -> None:
    order = client.sign(IP, "Text", requirement={"personalNumber": PNR})
    code = qr_data(order.qr_start_token, order.qr_start_secret, 0)
    with pytest.raises(NoUsableBankId):
        fake.scan(code, "197909044577")
    fake.open_autostart(order.auto_start_token, PNR)
    done = client.collect(order.order_ref)
    assert done.user is not None and done.user.personal_number == PNR


def test_an_order_left_alone_expires(fake: FakeBankId, client: BankIdClient) -> None:
    order = client.auth(IP)
    fake.order(order.order_ref).created = time.monotonic() - fake.order_ttl - 1
    collected = client.collect(order.order_ref)
    assert (collected.status, collected.hint_code) == ("failed", "expiredTransaction")
