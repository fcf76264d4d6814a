"""The administrators' pages: endpoints, the secret shown once, the delivery log and its
attempts, replay and ping; 403 for everyone else, the sign-in page for nobody."""

from __future__ import annotations

from typing import Any

import pytest

from rucher.webhooks import actions, sending
from rucher.webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

FORM = {
    "url": "http://127.0.0.1:9/hook",
    "description": "SI RH",
    "event_types": ["post.created", "member.joined"],
    "active": "on",
}


def test_only_administrators(world: dict[str, Any], client_for: Any, client: Any) -> None:
    assert client.get("/settings/webhooks/").status_code == 302  # to the sign-in page
    for name in ("alice", "cm", "gus"):
        page = client_for(world[name]).get("/settings/webhooks/")
        assert page.status_code == 403, name
        assert client_for(world[name]).post("/settings/webhooks/", FORM).status_code == 403
    assert Endpoint.objects.count() == 0
    home = client_for(world["alice"]).get("/").content.decode()
    assert "/settings/webhooks/" not in home
    assert "/settings/webhooks/" in client_for(world["admin"]).get("/").content.decode()


def test_create_shows_the_secret_once_in_words(world: dict[str, Any], client_for: Any) -> None:
    admin = client_for(world["admin"])
    page = admin.get("/settings/webhooks/")
    assert page.status_code == 200
    assert "Une publication est faite" in page.content.decode()  # event types in words (fr)
    made = admin.post("/settings/webhooks/", FORM)
    assert made.status_code == 201
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in made.content.decode()
    again = admin.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in again and endpoint.secret_hint in again
    listing = admin.get("/settings/webhooks/").content.decode()
    assert "Quelqu’un rejoint un espace" in listing and "SI RH" in listing


def test_form_errors_are_shown(world: dict[str, Any], client_for: Any) -> None:
    admin = client_for(world["admin"])
    refused = admin.post("/settings/webhooks/", {**FORM, "url": "https://169.254.169.254/"})
    assert refused.status_code == 422
    assert "lien local" in refused.content.decode()
    empty = admin.post("/settings/webhooks/", {**FORM, "event_types": []})
    assert empty.status_code == 422
    assert Endpoint.objects.count() == 0


def test_update_ping_log_replay_rotate_and_delete(
    world: dict[str, Any], client_for: Any, endpoint_for: Any, refused_url: str
) -> None:
    admin = client_for(world["admin"])
    endpoint = endpoint_for(refused_url)
    saved = admin.post(f"/settings/webhooks/{endpoint.pk}/", {**FORM, "url": refused_url})
    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["post.created", "member.joined"]

    assert admin.post(f"/settings/webhooks/{endpoint.pk}/ping/").status_code == 302
    delivery = Delivery.objects.get()
    sending.attempt_delivery(delivery.pk, 1)  # what the worker does
    log = admin.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "Ping de test" in log and "abandonné" in log
    detail = admin.get(f"/settings/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "Connection refused" in detail and str(delivery.uuid) in detail
    assert admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/replay/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING

    rotated = admin.post(f"/settings/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret in rotated.content.decode()
    assert admin.post(f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert admin.get(f"/settings/webhooks/{endpoint.pk}/").status_code == 404


def test_a_response_excerpt_is_escaped(world: dict[str, Any], client_for: Any) -> None:
    endpoint, _secret = actions.create_endpoint(
        world["admin"], "http://127.0.0.1:9/", ["post.created"]
    )
    delivery = actions.send_ping(world["admin"], endpoint.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempt_count=1)
    delivery.attempts.create(
        number=1, at=delivery.created_at, response_excerpt="<script>alert(1)</script>"
    )
    page = client_for(world["admin"]).get(f"/settings/webhooks/deliveries/{delivery.pk}/")
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_pages_in_english(world: dict[str, Any], client_for: Any) -> None:
    admin = client_for(world["admin"])
    admin.cookies["django_language"] = "en"
    page = admin.get("/settings/webhooks/").content.decode()
    assert "A post is published" in page and "Add an endpoint" in page


def test_the_endpoint_page_costs_the_same_whatever_the_number_of_deliveries(
    world: dict[str, Any], client_for: Any, endpoint_for: Any, django_assert_num_queries: Any
) -> None:
    admin = client_for(world["admin"])
    endpoint = endpoint_for("http://127.0.0.1:9/hook")
    actions.send_ping(world["admin"], endpoint.pk)
    admin.get(f"/settings/webhooks/{endpoint.pk}/")  # warm (session, language)
    # session, person, endpoint, the page of deliveries, the bell's unread count, the
    # navigation column's spaces
    with django_assert_num_queries(6):
        assert admin.get(f"/settings/webhooks/{endpoint.pk}/").status_code == 200
    for _n in range(5):
        actions.send_ping(world["admin"], endpoint.pk)
    with django_assert_num_queries(6):
        assert admin.get(f"/settings/webhooks/{endpoint.pk}/").status_code == 200
