from pathlib import Path

import pytest
from pydantic import ValidationError

from portal.settings import Settings


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path)
    second = Settings(var_dir=tmp_path)
    assert len(first.secret_key) >= 48
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="PORTAL_SECRET_KEY is required"):
        Settings(var_dir=tmp_path, mode="production")
    assert not (tmp_path / "secret_key").exists()


def test_defaults_live_under_var(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings.uploads == tmp_path / "uploads"
    assert settings.default_language == "sv"
    assert settings.development


def test_settings_come_from_portal_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_MUNICIPALITY_NAME", "Vänersborgs kommun")
    monkeypatch.setenv("PORTAL_DEFAULT_LANGUAGE", "fi")
    monkeypatch.setenv("PORTAL_MODE", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    settings = Settings(var_dir=tmp_path)
    assert settings.municipality_name == "Vänersborgs kommun"
    assert settings.default_language == "fi"
    assert not settings.development


def test_unknown_default_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="PORTAL_DEFAULT_LANGUAGE"):
        Settings(var_dir=tmp_path, default_language="de")
