from __future__ import annotations

from typing import Any

import pytest

from rucher.provisioning.models import DirectoryConnection, hash_secret

pytestmark = pytest.mark.django_db


def test_an_administrator_makes_a_connection_and_sees_its_token_once(
    client_for: Any, make_person: Any
) -> None:
    admin = make_person("admin", username="dsi")
    client = client_for(admin)
    answer = client.post(
        "/admin/provisioning/directoryconnection/add/",
        {"name": "entra", "group_target": "departments", "acting_as": admin.pk},
        follow=True,
    )
    assert answer.status_code == 200
    shown = [str(m) for m in answer.context["messages"]]
    token = shown[0].rsplit(" ", 1)[-1]
    assert DirectoryConnection.objects.get(name="entra").token_hash == hash_secret(token)


@pytest.mark.parametrize(("kind", "status"), [("employee", 302), ("community_manager", 302)])
def test_others_cannot_reach_the_connections(
    client_for: Any, make_person: Any, kind: str, status: int
) -> None:
    answer = client_for(make_person(kind)).get("/admin/provisioning/directoryconnection/")
    assert answer.status_code == status
