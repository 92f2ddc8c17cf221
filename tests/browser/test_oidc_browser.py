"""The whole staff sign-in with the municipality's identity provider in a real browser on a phone
(360 px): the portal's button, the provider's page (oidc-provider-mock on 127.0.0.1), back to the
officer's queue, then sign-out at the provider and back to the start page; an unmapped person's
refusal page. axe-core on the portal's pages; none of them scrolls sideways."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from portal.app import create_app
from portal.oidc import OidcClient
from portal.settings import Settings
from tests.browser.conftest import (
    axe_violations,
    new_context,
    overflows_horizontally,
    serve_in_thread,
)
from tests.oidc_support import MAPPING, Provider, running_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def oidc_server(
    settings: Settings, engine: Engine, provider: Provider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    mapping = tmp_path_factory.mktemp("oidc-browser") / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    configured = settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": "portal-browser",
            "oidc_client_secret": "browser-secret",
            "oidc_mapping_file": mapping,
        }
    )
    app = create_app(configured, engine)
    with serve_in_thread(app) as address:
        # The callback address holds the port, known only now.
        app.state.oidc = OidcClient(configured.model_copy(update={"base_url": address}))
        yield address


def test_sign_in_and_out_with_the_provider_on_a_phone(  # type: ignore[no-untyped-def]
    browser, oidc_server: str, provider: Provider, axe_source: str
) -> None:
    sub = f"phone-{uuid.uuid4().hex[:8]}"
    provider.set_user(
        sub, {"name": "Petra Telefon", "preferred_username": sub, "groups": ["ekb-handlaggare"]}
    )
    context = new_context(browser, oidc_server, language="sv", axe=axe_source)
    page = context.new_page()
    errors: list[str] = []
    # Only our pages count: the provider's test pages load styles from the internet. The
    # portal has no /favicon.ico (the browser's own request; not this test's subject).
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location}")
            if m.type == "error"
            and str(m.location.get("url", "")).startswith(oidc_server)
            and not str(m.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    try:
        page.goto("/login/staff")
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
        page.get_by_role("link", name="Logga in med kommunens konto").click()
        # The provider's own page: who signs in.
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize?**")
        page.fill('input[name="sub"]', sub)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{oidc_server}/officer")
        assert "Petra Telefon" in page.locator("header").inner_text()
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)

        # Sign-out: the form's answer leads to the provider (allowed by the CSP's form-action),
        # which confirms and sends the browser back to our start page.
        page.click(".user-nav__logout button")
        page.wait_for_url(f"{provider.issuer}/oauth2/end_session?**")
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{oidc_server}/?signed_out=1**")
        assert axe_violations(page) == []
        page.goto("/officer")
        assert "/login" in page.url
    finally:
        context.close()
    assert errors == []


def test_an_unmapped_person_sees_a_clear_page_on_a_phone(  # type: ignore[no-untyped-def]
    browser, oidc_server: str, provider: Provider, axe_source: str
) -> None:
    sub = f"nogroup-{uuid.uuid4().hex[:8]}"
    provider.set_user(sub, {"name": "Ingen Grupp", "groups": ["bygglov"]})
    context = new_context(browser, oidc_server, language="fa", axe=axe_source)
    page = context.new_page()
    try:
        page.goto("/login/staff/oidc")
        page.fill('input[name="sub"]', sub)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{oidc_server}/login/staff/oidc/callback?**")
        assert page.locator("h1").inner_text() == "شما به این پورتال دسترسی ندارید"
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert axe_violations(page) == []
        assert not overflows_horizontally(page)
        page.get_by_role("link", name="بازگشت به صفحهٔ ورود").click()
        page.wait_for_url(f"{oidc_server}/login/staff")
    finally:
        context.close()
