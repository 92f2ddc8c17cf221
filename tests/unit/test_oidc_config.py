"""The TOML mapping from the provider's groups and claims to the portal's roles and units; the
example file in docs/ is valid and means what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.oidc_mapping import MappingError, load, parse

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "oidc-mapping.example.toml"

MAPPING = """
groups_claim = "roles"
[[rule]]
group = "officers"
roles = ["officer"]
unit = "Nord"
[[rule]]
group = "leads"
roles = ["officer", "quality"]
unit = "Syd"
team_lead = true
[[rule]]
claim = "department"
equals = "Reception"
roles = ["informator"]
"""


def test_rules_add_up_and_the_first_unit_wins() -> None:
    mapping = parse(MAPPING)
    grant = mapping.grant({"roles": ["officers", "leads", "other"]})
    assert grant.roles == {"officer", "quality"}
    assert grant.unit == "Nord"
    assert grant.team_lead_units == {"Syd"}
    assert mapping.grant({"department": "Reception"}).roles == {"informator"}
    assert mapping.grant({"department": ["IT", "Reception"]}).roles == {"informator"}


def test_no_matching_rule_grants_nothing() -> None:
    mapping = parse(MAPPING)
    for claims in ({}, {"roles": []}, {"roles": "nothing"}, {"groups": ["officers"]}):
        grant = mapping.grant(claims)
        assert grant.roles == frozenset() and grant.unit is None


def test_a_space_separated_groups_claim_is_split() -> None:
    assert parse(MAPPING).grant({"roles": "x officers"}).roles == {"officer"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("[[rule]]\nroles = ['officer']\n", "either group or claim"),
        ("[[rule]]\ngroup = 'g'\nroles = ['root']\n", "unknown role"),
        ("[[rule]]\ngroup = 'g'\nroles = []\n", "non-empty list"),
        ("[[rule]]\ngroup = 'g'\nroles = ['officer']\nteam_lead = true\n", "needs a unit"),
        ("[[rule]]\ngroup = 'g'\nroles = ['officer']\ncolour = 1\n", "unknown key"),
        ("[[rule]]\nclaim = 'c'\nroles = ['officer']\n", "claim and equals"),
        ("grups_claim = 'x'\n[[rule]]\ngroup = 'g'\nroles = ['officer']\n", "unknown key"),
        ("[[rule]\n", "mapping"),
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse(text)


def test_the_example_in_docs_is_valid() -> None:
    mapping = load(EXAMPLE)
    assert mapping.rules
    groups = [r.group for r in mapping.rules if r.group]
    grant = mapping.grant({mapping.groups_claim: groups})
    assert grant.roles == {"informator", "officer", "quality"}
    assert grant.unit == "Försörjningsstöd Nord"
    assert grant.team_lead_units == {"Försörjningsstöd Nord"}
    assert mapping.grant({"department": "Socialtjänstens IT"}).roles == {"admin"}


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="missing.toml"):
        load(tmp_path / "missing.toml")


# --- the settings -----------------------------------------------------------------------------


def _settings(tmp_path: Path, **values: object):  # type: ignore[no-untyped-def]
    from portal.settings import Settings

    return Settings(var_dir=tmp_path, secret_key="k" * 40, **values)  # type: ignore[arg-type]


def test_an_issuer_needs_a_client_id_and_a_mapping(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="PORTAL_OIDC_CLIENT_ID"):
        _settings(tmp_path, oidc_issuer="https://idp.example/realms/k")
    with pytest.raises(ValidationError, match="must include openid"):
        _settings(
            tmp_path,
            oidc_issuer="https://idp.example",
            oidc_client_id="p",
            oidc_mapping_file=EXAMPLE,
            oidc_scopes="profile",
        )


def test_production_needs_https_for_the_provider(tmp_path: Path) -> None:
    from pydantic import ValidationError

    common = {"oidc_client_id": "p", "oidc_mapping_file": EXAMPLE, "mode": "production"}
    with pytest.raises(ValidationError, match="https"):
        _settings(tmp_path, oidc_issuer="http://idp.example", **common)
    ok = _settings(tmp_path, oidc_issuer="https://idp.example/realms/k/", **common)
    assert ok.oidc_issuer == "https://idp.example/realms/k"
    assert ok.staff_password_restricted
    development = _settings(
        tmp_path, oidc_issuer="http://127.0.0.1:9", oidc_client_id="p", oidc_mapping_file=EXAMPLE
    )
    assert development.oidc_enabled and not development.staff_password_restricted
    assert not _settings(tmp_path, mode="production").staff_password_restricted


def test_required_acr_values_are_split(tmp_path: Path) -> None:
    settings = _settings(tmp_path, oidc_required_acr=" loa3 , siths,, ")
    assert settings.oidc_acr_values == ["loa3", "siths"]
