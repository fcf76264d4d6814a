"""``rucher directory import FILE [--dry-run]``: the diff first, then all or nothing; bad
files name their line and exit with code 2, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rucher.activity.models import Event
from rucher.cli import main
from rucher.people.models import Department, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def organisation(make_person: Any) -> dict[str, Any]:
    Department.objects.create(name="Achats")
    Department.objects.create(name="Ventes")
    return {
        "admin": make_person("admin", username="dsi"),
        "staying": make_person(username="marie", first_name="Marie", last_name="Curie"),
        "leaving": make_person(username="pierre"),
    }


def run(tmp_path: Path, text: str, *args: str) -> Any:
    file = tmp_path / "annuaire.csv"
    file.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["directory", "import", str(file), *args])


GOOD = (
    "username,first_name,last_name,email,job_title,department,active\n"
    "marie,Marie,Curie,marie@example.org,Chimiste,Achats,yes\n"
    "jean,Jean,Moulin,jean@example.org,Vendeur,Ventes,yes\n"
)


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path, organisation: Any) -> None:
    events = Event.objects.count()
    result = run(tmp_path, GOOD, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 created, 1 changed, 0 reactivated, 1 deactivated" in result.output
    assert "jean" in result.output and "pierre" in result.output
    assert not Person.objects.filter(username="jean").exists()
    assert Event.objects.count() == events


def test_import_applies_the_diff(tmp_path: Path, organisation: Any) -> None:
    result = run(tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    jean = Person.objects.get(username="jean")
    assert jean.department.name == "Ventes" and jean.is_active
    marie = Person.objects.get(username="marie")
    assert (marie.job_title, marie.department.name) == ("Chimiste", "Achats")
    assert not Person.objects.get(username="pierre").is_active
    assert Person.objects.get(username="dsi").is_active  # administrators are never touched
    assert Event.objects.filter(verb__endswith="_account").count() == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "Marie,M,C,,,,yes\n", "line 4: Marie is also on line 2"),
        (GOOD + "paul,Paul,V,,,Compta,yes\n", "line 4: unknown department 'Compta'"),
        (GOOD + "paul,Paul\n", "line 4: 2 values for 7 columns"),
        (GOOD + "paul,P,V,not-an-address,,,yes\n", "line 4: 'not-an-address' is not an e-mail"),
        (GOOD + "paul,P,V,,,,perhaps\n", "line 4: active is yes or no"),
        (GOOD + "dsi,D,S,,,,yes\n", "line 4: dsi is an administrator"),
        ("login,name\nx,y\n", "line 1: unknown column(s) login, name"),
        ("", "the file is empty"),
    ],
)
def test_bad_files_name_the_line_exit_2_and_write_nothing(
    tmp_path: Path, organisation: Any, text: str, message: str
) -> None:
    people, events = Person.objects.count(), Event.objects.count()
    result = run(tmp_path, text)
    assert result.exit_code == 2
    assert message in result.output
    assert (Person.objects.count(), Event.objects.count()) == (people, events)
    assert Person.objects.get(username="pierre").is_active


def test_a_missing_file_is_exit_2(tmp_path: Path, organisation: Any) -> None:
    result = CliRunner().invoke(main, ["directory", "import", str(tmp_path / "none.csv")])
    assert result.exit_code == 2


def test_scim_token_prints_the_token_on_its_last_line(organisation: Any) -> None:
    from rucher.provisioning.models import DirectoryConnection, hash_secret

    result = CliRunner().invoke(main, ["scim", "token", "entra"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("scim_")
    assert DirectoryConnection.objects.get(name="entra").token_hash == hash_secret(token)
    again = CliRunner().invoke(main, ["scim", "token", "entra"])
    assert again.output.strip().splitlines()[-1] != token  # a new token replaces the old one
    assert DirectoryConnection.objects.count() == 1
