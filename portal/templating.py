"""The Jinja environment: i18n callables that read the request's locale, and format filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from intake.languages import NATIVE_NAMES, SUPPORTED
from portal import i18n

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def _base_context(request: Request) -> dict[str, Any]:
    """What every page needs: the user, the CSRF token, the language and the municipality."""
    settings = request.app.state.settings
    language = i18n.get_locale()
    return {
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "lang": language,
        "dir": i18n.text_direction(language),
        "municipality_name": settings.municipality_name,
        "development": settings.development,
        "current_path": request.url.path + (("?" + request.url.query) if request.url.query else ""),
    }


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_base_context])
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **kw: i18n.gettext(message, **kw),
        ngettext=lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.autoescape = True
    env.filters["money"] = i18n.format_money
    env.filters["ore"] = i18n.format_ore
    env.filters["number"] = i18n.format_number
    env.filters["date"] = i18n.format_date
    env.filters["datetime"] = i18n.format_datetime
    env.filters["month"] = i18n.format_month
    env.globals["LANGUAGES"] = [(code, NATIVE_NAMES[code]) for code in SUPPORTED]
    env.globals["text_direction"] = i18n.text_direction
    env.globals["get_locale"] = i18n.get_locale
    return templates


templates = _build()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """A fragment is wanted: an htmx request that is neither boosted nor a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
