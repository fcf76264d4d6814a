"""A real OpenID Connect provider in its own process: django-oauth-toolkit in a one-file Django
project. The SSO tests start it (tests/identity/conftest.py); ``make demo-idp`` starts it for
the demo with a sign-in form for the demo's people.

    python tests/identity/oidc_provider.py --port 0 --data-dir DIR \\
        --client-id ID --client-secret SECRET --redirect-uri URI [--demo]

It prints ``listening on PORT`` once it serves. For the tests it can misbehave on purpose:
the file ``DIR/mode`` holds ``forged`` (ID tokens signed with a key not in its JWKS),
``expired``, ``wrong-audience``, ``stale-nonce`` (the nonce of another sign-in), or nothing
(an honest provider). ``/test-login/?username=…&email=…&groups=a,b`` signs a browser in at
the provider (created on first use).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEMO_PASSWORD = "demo-idp"  # shown on the demo provider's sign-in page
DEMO_PEOPLE = {
    # username: (given name, family name, groups); e-mails as the demo's (orvanne.example)
    "employe": ("Émile", "Employé", ["staff"]),
    "animatrice": ("Anita", "Animatrice", ["staff", "community"]),
    "partenaire": ("Paul", "Partenaire", ["partners"]),
}


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--demo", action="store_true")
    options = parser.parse_args()
    data_dir = Path(options.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    mode_file = data_dir / "mode"

    # The socket first: the issuer (in every token) carries the port the system gave.
    probe = socket.socket()
    probe.bind(("127.0.0.1", options.port))
    port = probe.getsockname()[1]
    probe.close()
    issuer = f"http://127.0.0.1:{port}/o"

    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="the test provider's own key",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(data_dir / "provider.sqlite3"),
            }
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # a test double
        LOGIN_URL="/login/",
        # Browsers share cookies between ports of one host: rucher's session cookie is
        # "sessionid" on 127.0.0.1 too, and the provider's must not overwrite it.
        SESSION_COOKIE_NAME="demo_idp_session",
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _private_key_pem(),
            "OIDC_ISS_ENDPOINT": issuer,
            "PKCE_REQUIRED": True,
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID", "email": "e-mail", "profile": "profile"},
        },
    )
    django.setup()

    from django.contrib.auth import login
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
    from django.urls import include, path
    from django.utils.html import escape
    from django.views.decorators.csrf import csrf_exempt
    from jwcrypto import jwk, jwt
    from oauth2_provider.models import Application
    from oauth2_provider.oauth2_validators import OAuth2Validator

    forged_key = jwk.JWK.from_pem(_private_key_pem().encode())

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below, whatever the scopes

        def get_additional_claims(self, request: Any) -> dict[str, Any]:
            user = request.user
            return {
                "email": user.email,
                "email_verified": True,
                "given_name": user.first_name,
                "family_name": user.last_name,
                "preferred_username": user.username,
                "groups": sorted(group.name for group in user.groups.all()),
            }

        def finalize_id_token(
            self, id_token: Any, token: Any, token_handler: Any, request: Any
        ) -> str:
            # django-oauth-toolkit's own steps, with the test's misbehaviour in between.
            claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
            id_token.update(**claims)
            if "nonce" not in id_token and request.nonce:
                id_token["nonce"] = request.nonce
            mode = mode_file.read_text().strip() if mode_file.exists() else ""
            key = request.client.jwk_key
            if mode == "expired":
                id_token["iat"] = int(time.time()) - 7200
                id_token["exp"] = int(time.time()) - 3600
            elif mode == "wrong-audience":
                id_token["aud"] = "another-application"
            elif mode == "stale-nonce":  # an ID token replayed from another sign-in
                id_token["nonce"] = "the-nonce-of-an-earlier-sign-in"
            elif mode == "forged":
                key = forged_key
            header = {"typ": "JWT", "alg": "RS256", "kid": request.client.jwk_key.thumbprint()}
            signed = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
            signed.make_signed_token(key)
            saved = self._save_id_token(id_token["jti"], request, expiration_time)
            request.access_token = saved
            request.id_token = saved
            return str(signed.serialize())

    sys.modules[__name__].Validator = Validator  # type: ignore[attr-defined]

    def test_login(request: HttpRequest) -> HttpResponse:
        username = request.GET["username"]
        user, _created = User.objects.get_or_create(username=username)
        user.email = request.GET.get("email", "")
        user.first_name = request.GET.get("given", "")
        user.last_name = request.GET.get("family", "")
        user.save()
        names = [g for g in request.GET.get("groups", "").split(",") if g]
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponse(status=204)

    @csrf_exempt
    def login_form(request: HttpRequest) -> HttpResponse:
        """The demo's sign-in page (no CSRF token: a local demo provider, not a product)."""
        next_url = request.POST.get("next") or request.GET.get("next") or "/"
        error = ""
        if request.method == "POST":
            user = User.objects.filter(username=request.POST.get("username", "")).first()
            if user is not None and user.check_password(request.POST.get("password", "")):
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return HttpResponseRedirect(next_url if next_url.startswith("/") else "/")
            error = "<p style='color:#b00'>Wrong username or password.</p>"
        people = ", ".join(DEMO_PEOPLE)
        return HttpResponse(
            "<!doctype html><meta charset=utf-8><title>Demo identity provider</title>"
            "<body style='font-family:sans-serif;max-width:30rem;margin:3rem auto'>"
            "<h1>Demo identity provider</h1>"
            f"<p>People: {people}. Password: <code>{DEMO_PASSWORD}</code></p>{error}"
            "<form method=post><p><label>Username <input name=username autofocus></label></p>"
            "<p><label>Password <input name=password type=password></label></p>"
            f"<input type=hidden name=next value='{escape(next_url)}'>"
            "<button>Sign in</button></form>"
        )

    sys.modules[__name__].urlpatterns = [  # type: ignore[attr-defined]
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("test-login/", test_login),
        path("login/", login_form),
    ]

    call_command("migrate", verbosity=0)
    Application.objects.update_or_create(
        client_id=options.client_id,
        defaults={
            "client_secret": options.client_secret,
            "hash_client_secret": False,
            "redirect_uris": options.redirect_uri,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
            "name": "rucher",
        },
    )
    if options.demo:
        for username, (given, family, groups) in DEMO_PEOPLE.items():
            user, _created = User.objects.get_or_create(username=username)
            user.email = f"{username}@orvanne.example"
            user.first_name, user.last_name = given, family
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])

    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        port,
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print(f"listening on {port}", flush=True)
    if options.demo:
        print(
            "Start rucher with (docs/sso.md):\n"
            f"  RUCHER_OIDC_ISSUER={issuer} RUCHER_OIDC_CLIENT_ID={options.client_id} "
            f"RUCHER_OIDC_CLIENT_SECRET={options.client_secret} RUCHER_OIDC_NAME='Orvanne ID' "
            "rucher demo\n"
            f"then sign in as one of {', '.join(DEMO_PEOPLE)} (password {DEMO_PASSWORD}).",
            flush=True,
        )
    server.serve_forever()


if __name__ == "__main__":
    main()
