"""Who may do what, from the identity provider: a TOML file that maps groups or claims of the ID
token to the portal's roles and units (``PORTAL_OIDC_MAPPING_FILE``; the format is documented in
docs/oidc-mapping.example.toml).

Every rule that matches adds its roles; the first matching rule with a ``unit`` gives the staff
member's unit; ``team_lead = true`` makes them team lead of that rule's unit. No matching rule:
no role, and the person is refused.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.models import Role


class MappingError(ValueError):
    """The mapping file is not valid; the message says where."""


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    group: str | None = None
    claim: str | None = None
    equals: str | None = None
    unit: str | None = None
    team_lead: bool = False

    def matches(self, claims: Mapping[str, Any], groups: frozenset[str]) -> bool:
        if self.group is not None:
            return self.group in groups
        assert self.claim is not None
        value = claims.get(self.claim)
        values = value if isinstance(value, list) else [value]
        return any(isinstance(v, str | int | bool) and str(v) == self.equals for v in values)


@dataclass(frozen=True)
class Grant:
    """What the provider's claims give: roles, the unit, and the units led."""

    roles: frozenset[str]
    unit: str | None
    team_lead_units: frozenset[str]


@dataclass(frozen=True)
class ClaimMapping:
    rules: tuple[Rule, ...]
    groups_claim: str = "groups"
    username_claims: tuple[str, ...] = ("preferred_username", "email")
    name_claim: str = "name"

    def groups_of(self, claims: Mapping[str, Any]) -> frozenset[str]:
        value = claims.get(self.groups_claim)
        if isinstance(value, str):
            return frozenset(value.split())
        if isinstance(value, list):
            return frozenset(str(v) for v in value if isinstance(v, str | int))
        return frozenset()

    def grant(self, claims: Mapping[str, Any]) -> Grant:
        groups = self.groups_of(claims)
        roles: set[str] = set()
        unit: str | None = None
        led: set[str] = set()
        for rule in self.rules:
            if not rule.matches(claims, groups):
                continue
            roles |= rule.roles
            if rule.unit is not None:
                unit = unit or rule.unit
                if rule.team_lead:
                    led.add(rule.unit)
        return Grant(frozenset(roles), unit, frozenset(led))


_RULE_KEYS = {"group", "claim", "equals", "roles", "unit", "team_lead"}
_TOP_KEYS = {"groups_claim", "username_claims", "name_claim", "rule"}


def parse(text: str, source: str = "mapping") -> ClaimMapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{source}: {exc}") from exc
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise MappingError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    rules_data = data.get("rule", [])
    if not isinstance(rules_data, list) or not rules_data:
        raise MappingError(f"{source}: at least one [[rule]] is needed")
    known_roles = {role.value for role in Role}
    rules: list[Rule] = []
    for number, item in enumerate(rules_data, start=1):
        where = f"{source}: rule {number}"
        if not isinstance(item, dict):
            raise MappingError(f"{where}: not a table")
        extra = set(item) - _RULE_KEYS
        if extra:
            raise MappingError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        group, claim, equals = item.get("group"), item.get("claim"), item.get("equals")
        if (group is None) == (claim is None):
            raise MappingError(f"{where}: give either group or claim (with equals)")
        if group is not None and not (isinstance(group, str) and group):
            raise MappingError(f"{where}: group must be a non-empty string")
        if claim is not None and not (isinstance(claim, str) and isinstance(equals, str)):
            raise MappingError(f"{where}: claim and equals must both be strings")
        roles = item.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise MappingError(f"{where}: roles must be a non-empty list of role names")
        bad = set(roles) - known_roles
        if bad:
            raise MappingError(
                f"{where}: unknown role(s) {', '.join(sorted(bad))} "
                f"(roles: {', '.join(sorted(known_roles))})"
            )
        unit = item.get("unit")
        if unit is not None and not (isinstance(unit, str) and unit):
            raise MappingError(f"{where}: unit must be a unit's name")
        team_lead = item.get("team_lead", False)
        if not isinstance(team_lead, bool) or (team_lead and unit is None):
            raise MappingError(f"{where}: team_lead = true needs a unit")
        rules.append(
            Rule(
                roles=frozenset(roles),
                group=group,
                claim=claim,
                equals=equals,
                unit=unit,
                team_lead=team_lead,
            )
        )
    groups_claim = data.get("groups_claim", "groups")
    username_claims = data.get("username_claims", ["preferred_username", "email"])
    name_claim = data.get("name_claim", "name")
    if not isinstance(groups_claim, str) or not isinstance(name_claim, str):
        raise MappingError(f"{source}: groups_claim and name_claim must be strings")
    if not isinstance(username_claims, list) or not all(
        isinstance(c, str) for c in username_claims
    ):
        raise MappingError(f"{source}: username_claims must be a list of claim names")
    return ClaimMapping(
        rules=tuple(rules),
        groups_claim=groups_claim,
        username_claims=tuple(username_claims),
        name_claim=name_claim,
    )


def load(path: Path) -> ClaimMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{path}: {exc.strerror}") from exc
    return parse(text, str(path))
