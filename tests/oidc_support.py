"""A real OpenID Connect provider on 127.0.0.1 for the tests: the ``oidc-provider-mock`` package
(Authlib's authorization server in Flask) served by werkzeug in a thread.

Its users' claims are set per test (``provider.set_user(sub, claims)``): they go into the ID
token as given, so a test can also make the provider issue a token for another audience, an
expired one, or one with another nonce, all signed with the provider's real key. Two things the
package does not do are added by a small WSGI layer in front of it, outside the portal:
- PKCE is enforced: the token endpoint refuses a code whose ``code_verifier`` does not match
  the S256 ``code_challenge`` of its authorization request (as Entra ID and Keycloak do);
- ``provider.break_signatures = True`` spoils the signature of the ID tokens it hands out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import oidc_provider_mock
import werkzeug.serving
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

MAPPING = """
groups_claim = "groups"
username_claims = ["preferred_username", "email"]

[[rule]]
group = "ekb-handlaggare"
roles = ["officer"]
unit = "Försörjningsstöd Nord"

[[rule]]
group = "ekb-teamledare"
roles = ["officer", "quality"]
unit = "Försörjningsstöd Nord"
team_lead = true

[[rule]]
claim = "department"
equals = "Mottagningen"
roles = ["informator"]
"""


class Provider:
    def __init__(self) -> None:
        self.challenges: dict[str, str] = {}  # code -> code_challenge (S256)
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.break_signatures = False
        self._inner = oidc_provider_mock.app(require_nonce=True)
        self._server = werkzeug.serving.make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))

    # --- the WSGI layer -------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = WsgiRequest(environ)
        if request.path == "/oauth2/authorize" and request.method == "POST":
            query = {k: v for k, v in request.args.items()}
            self.authorize_requests.append(query)
            response = WsgiResponse.from_app(self._inner, environ)
            location = response.headers.get("Location", "")
            code = parse_qs(urlsplit(location).query).get("code", [""])[0]
            if code:
                self.challenges[code] = query.get("code_challenge", "")
                assert query.get("code_challenge_method") == "S256", query
            return response(environ, start_response)
        if request.path == "/oauth2/token" and request.method == "POST":
            form = {k: v for k, v in request.form.items()}
            self.token_requests.append(form)
            # The form was read: hand the body on again.
            body = urlencode(form).encode()
            environ["wsgi.input"] = __import__("io").BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            challenge = self.challenges.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not challenge or challenge != expected:
                error = WsgiResponse(
                    json.dumps({"error": "invalid_grant", "error_description": "PKCE"}),
                    status=400,
                    content_type="application/json",
                )
                return error(environ, start_response)
            response = WsgiResponse.from_app(self._inner, environ)
            if self.break_signatures and response.status_code == 200:
                token = json.loads(response.get_data())
                head, payload, signature = token["id_token"].split(".")
                flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
                token["id_token"] = f"{head}.{payload}.{flipped}"
                response.set_data(json.dumps(token))
            return response(environ, start_response)
        return self._inner(environ, start_response)

    # --- for the tests ----------------------------------------------------------------------

    def start(self) -> Provider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, url: str, sub: str, **change: str) -> str:
        """Sign in as ``sub`` at the provider's page, as a person would (the URL given by the
        portal, with query parameters replaced by ``change``); the redirect back to the portal."""
        assert url.startswith(self.issuer + "/oauth2/authorize?"), url
        if change:
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            query.update(change)
            url = f"{self.issuer}/oauth2/authorize?{urlencode(query)}"
        response = httpx.post(url, data={"sub": sub}, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def deny(self, url: str) -> str:
        response = httpx.post(url, data={"action": "deny"}, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider().start()
    try:
        yield provider
    finally:
        provider.stop()
