"""Staff sign-in with the municipality's OpenID Connect provider, through Authlib.

Authorization code flow with PKCE (S256) and a nonce; the provider's settings come from its
discovery document (``ISSUER/.well-known/openid-configuration``), whose ``issuer`` must be the
configured one. The ID token is checked by Authlib against the provider's published keys (JWKS,
fetched again once when the key id is unknown, for key rotation): signature, ``iss``, ``aud``
(this client), ``exp``/``iat``, ``nonce``, ``azp`` and ``at_hash``; then, when
``PORTAL_OIDC_REQUIRED_ACR`` is set, ``acr`` must be one of those values.

The state, nonce, PKCE verifier and the page asked for travel between the two legs in a
short-lived cookie signed with the secret key (``portal_oidc``, only sent to the callback path).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp, OAuth2Mixin, OpenIDMixin
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError

from portal.oidc_mapping import ClaimMapping, load
from portal.settings import Settings

FLOW_COOKIE = "portal_oidc"
CALLBACK_PATH = "/login/staff/oidc/callback"
FLOW_LIFETIME_SECONDS = 600  # the person has ten minutes at the provider
CLOCK_LEEWAY_SECONDS = 60
METADATA_LIFETIME_SECONDS = 3600


class SignInFailed(Exception):
    """The sign-in could not be completed; ``reason`` is for the audit log and the server log,
    never shown to the person as such."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Framework:
    """Authlib's hook for storing refreshed tokens: the portal keeps no provider tokens."""

    def update_token(self, *args: Any, **kwargs: Any) -> None:
        return None


class _ProviderApp(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Client


@dataclass
class Flow:
    state: str
    nonce: str
    code_verifier: str
    next: str


@dataclass
class Identity:
    """A person the provider vouched for, with the claims of the validated ID token."""

    issuer: str
    subject: str
    claims: dict[str, Any]


class OidcClient:
    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_enabled and settings.oidc_mapping_file is not None
        self.settings = settings
        self.issuer = settings.oidc_issuer
        parts = urlsplit(self.issuer)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.client_id = settings.oidc_client_id
        self.mapping: ClaimMapping = load(settings.oidc_mapping_file)
        self.redirect_uri = settings.base_url.rstrip("/") + CALLBACK_PATH
        self.post_logout_redirect_uri = settings.base_url.rstrip("/") + "/?signed_out=1"
        self._serializer = URLSafeTimedSerializer(settings.secret_key, salt="portal-oidc-flow")
        self._app = self._new_app()

    def _new_app(self) -> _ProviderApp:
        return _ProviderApp(
            _Framework(),
            name="municipality",
            client_id=self.client_id,
            client_secret=self.settings.oidc_client_secret or None,
            server_metadata_url=self.issuer + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": self.settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": self.settings.oidc_timeout,
                "token_endpoint_auth_method": (
                    "client_secret_basic" if self.settings.oidc_client_secret else "none"
                ),
            },
        )

    def _metadata(self) -> dict[str, Any]:
        """The discovery document, fetched again after an hour; its issuer must be ours."""
        loaded = self._app.server_metadata.get("_loaded_at")
        if loaded is not None and time.time() - loaded > METADATA_LIFETIME_SECONDS:
            self._app = self._new_app()
        try:
            metadata: dict[str, Any] = self._app.load_server_metadata()
        except Exception as exc:  # httpx errors, bad JSON: the provider is not reachable
            self._app = self._new_app()
            raise SignInFailed(f"discovery: {type(exc).__name__}") from exc
        if metadata.get("issuer", "").rstrip("/") != self.issuer:
            self._app = self._new_app()
            raise SignInFailed("discovery: issuer differs from PORTAL_OIDC_ISSUER")
        return metadata

    # --- the first leg: off to the provider ---------------------------------------------------

    def start(self, next_path: str) -> tuple[str, str]:
        """The provider's authorization URL and the signed flow cookie's value."""
        self._metadata()
        extra: dict[str, Any] = {}
        if self.settings.oidc_acr_values:
            extra["acr_values"] = " ".join(self.settings.oidc_acr_values)
        try:
            result = self._app.create_authorization_url(
                self.redirect_uri,
                state=secrets.token_urlsafe(24),
                nonce=secrets.token_urlsafe(24),
                code_verifier=secrets.token_urlsafe(64),
                **extra,
            )
        except (AuthlibBaseError, RuntimeError) as exc:
            raise SignInFailed(f"authorize: {exc}") from exc
        flow = {
            "state": result["state"],
            "nonce": result["nonce"],
            "code_verifier": result["code_verifier"],
            "next": next_path,
        }
        return result["url"], self._serializer.dumps(flow)

    def flow_from_cookie(self, value: str | None) -> Flow:
        if not value:
            raise SignInFailed("no flow cookie")
        try:
            data = self._serializer.loads(value, max_age=FLOW_LIFETIME_SECONDS)
        except BadSignature as exc:  # includes an expired signature
            raise SignInFailed("flow cookie invalid or expired") from exc
        return Flow(
            state=str(data["state"]),
            nonce=str(data["nonce"]),
            code_verifier=str(data["code_verifier"]),
            next=str(data.get("next", "")),
        )

    # --- the second leg: back with a code ------------------------------------------------------

    def finish(self, flow: Flow, code: str) -> Identity:
        """Exchange the code (with the PKCE verifier) and validate the ID token."""
        self._metadata()
        try:
            token = self._app.fetch_access_token(
                self.redirect_uri, code=code, code_verifier=flow.code_verifier
            )
        except (OAuthError, AuthlibBaseError) as exc:
            raise SignInFailed(f"token: {exc}") from exc
        except Exception as exc:  # the provider did not answer, or not in JSON
            raise SignInFailed(f"token: {type(exc).__name__}") from exc
        if not isinstance(token, dict) or "id_token" not in token:
            raise SignInFailed("token: no id_token")
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": self.client_id},
            "nonce": {"essential": True, "value": flow.nonce},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        try:
            claims = self._app.parse_id_token(
                token, flow.nonce, claims_options=options, leeway=CLOCK_LEEWAY_SECONDS
            )
        except (JoseError, AuthlibBaseError, ValueError) as exc:
            raise SignInFailed(f"id_token: {type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # the keys could not be fetched
            raise SignInFailed(f"id_token: {type(exc).__name__}") from exc
        acr_values = self.settings.oidc_acr_values
        if acr_values and claims.get("acr") not in acr_values:
            raise SignInFailed("acr")
        return Identity(issuer=self.issuer, subject=str(claims["sub"]), claims=dict(claims))

    # --- RP-initiated sign-out ----------------------------------------------------------------

    def logout_url(self) -> str | None:
        """Where to send the browser so that the provider ends its session too, or None when
        the provider publishes no end_session_endpoint on its own origin (or cannot be
        reached)."""
        try:
            metadata = self._metadata()
        except SignInFailed:
            return None
        endpoint = str(metadata.get("end_session_endpoint") or "")
        parts = urlsplit(endpoint)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None  # none, or elsewhere than the CSP's form-action allows
        result = self._app.create_logout_url(
            post_logout_redirect_uri=self.post_logout_redirect_uri, client_id=self.client_id
        )
        return str(result["url"])
