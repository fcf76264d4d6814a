"""The interface as a person meets it (issue 16): layout, phone, language switch, installable
app, keyboard use, and accessibility measured by axe-core (vendored by the
axe-playwright-python package: nothing is fetched) on the main pages for each kind of account,
in French and English, at desktop and phone sizes. The same walk writes screenshots of every
main page under var/screenshots/ (docs/screenshots.md lists them)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# WCAG 2.0, 2.1 and 2.2, levels A and AA: any violation fails.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = Path(os.environ.get("RUCHER_SCREENSHOTS", "var/screenshots"))


@pytest.fixture
def demo_like(make_person: Any, make_space: Any) -> dict[str, Any]:
    """The demo's four accounts (same usernames) and a little of everything to look at."""
    from rucher.conversations.actions import publish, react, reply

    people = {
        "admin": make_person("admin", username="admin", first_name="Ada", last_name="Martin"),
        "animatrice": make_person(
            "community_manager", username="animatrice", first_name="Inès", last_name="Roux"
        ),
        "employe": make_person(
            username="employe", first_name="Lucas", last_name="Bernard", job_title="Technicien"
        ),
        "partenaire": make_person(
            "partner", username="partenaire", first_name="Paul", last_name="Dubois"
        ),
    }
    staff = (people["admin"], people["employe"])
    quality = make_space(people["animatrice"], "Atelier qualité", members=staff)
    partners = make_space(
        people["animatrice"],
        "Distributeurs",
        members=(people["partenaire"], people["employe"]),
        kind="partner",
        visibility="private",
    )
    question = publish(
        people["employe"], quality, "Qui connaît la norme ISO 9001 ? #qualite", kind="question"
    )
    reply(people["animatrice"], question, "Oui, **Inès** l'a pratiquée trois ans.")
    post = publish(
        people["animatrice"], quality, "Bienvenue dans l'atelier ! Présentez-vous ici. #accueil"
    )
    react(people["employe"], post, "like")
    publish(people["partenaire"], partners, "Catalogue 2027 : les nouveautés arrivent.")
    publish(people["employe"], partners, "Merci Paul, on regarde ça ensemble.")
    from rucher.messaging.actions import start_conversation

    # A direct conversation for every account: the partner guest may write to the employee
    # (they share the partners' space), the others to each other.
    for writer, reader in (
        ("employe", "partenaire"),
        ("animatrice", "employe"),
        ("admin", "employe"),
    ):
        start_conversation(people[writer], [people[reader].pk], "Bonjour, un point rapide ?")
    return {**people, "quality": quality, "partners": partners, "question": question}


def _context(browser: Any, live_server: Any, viewport: dict[str, int]) -> Any:
    phone = viewport == PHONE
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(60_000)  # a first request pays the imports on a busy machine
    return context


def _sign_in(page: Any, username: str) -> None:
    page.goto("/login/", timeout=180_000)  # the server's first request imports everything
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    with page.expect_navigation():  # the sign-in's own navigation (tests/e2e/conftest.py)
        page.click("main button[type=submit]")


def _conversation_of(person: Any) -> int:
    from rucher.messaging.models import Participant

    return Participant.objects.filter(person=person).values_list("conversation_id", flat=True)[0]


def _main_pages(world: dict[str, Any], username: str) -> list[tuple[str, str]]:
    space = world["partners"] if username == "partenaire" else world["quality"]
    pages = [
        ("home", "/"),
        ("space", f"/spaces/{space.slug}/"),
        ("spaces", "/spaces/"),
        ("directory", "/people/"),
        ("profile", f"/people/{world[username].pk}/"),
        ("notifications", "/notifications/"),
        ("search", "/search/?q=catalogue"),
        ("essentiel", "/essentiel/"),
        ("messages", "/messages/"),
        ("message-thread", f"/messages/{_conversation_of(world[username])}/"),
        ("notification-settings", "/settings/notifications/"),
    ]
    if username != "partenaire":
        pages.append(("thread", f"/posts/{world['question'].pk}/"))
        pages.append(("questions", "/questions/"))
        pages.append(("experts", "/experts/?q=qualite"))
    if username == "animatrice":
        pages.append(("cockpit", "/cockpit/"))
    return pages


def _axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


@pytest.mark.parametrize("username", ["employe", "animatrice", "partenaire", "admin"])
def test_main_pages_have_no_wcag_violation(
    browser: Any, live_server: Any, demo_like: dict[str, Any], username: str
) -> None:
    """axe-core on every main page, FR and EN, desktop and phone; the screenshots of the
    employee's and the community manager's walks are kept for docs/screenshots.md."""
    problems: list[str] = []
    for language in ("fr", "en"):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = _context(browser, live_server, viewport)
            try:
                page = context.new_page()
                _sign_in(page, username)
                if language == "en":
                    page.goto("/")
                    if viewport == PHONE:  # the switch is in the navigation menu
                        page.click("button.menu-toggle")
                    page.select_option("#language-select", "en")
                    page.wait_for_load_state("load")
                    expect(page.locator("html")).to_have_attribute("lang", "en")
                for name, path in _main_pages(demo_like, username):
                    response = page.goto(path)
                    assert response is not None and response.status == 200, (path, response)
                    expect(page.locator("html")).to_have_attribute("lang", language)
                    assert page.title().strip(), f"{path}: no title"
                    for violation in _axe_violations(page):
                        problems.append(f"{username} {language} {size} {path}: {violation}")
                    if username in ("employe", "animatrice"):
                        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                        page.screenshot(
                            path=SCREENSHOTS / f"{name}-{username}-{language}-{size}.png"
                        )
            finally:
                context.close()
    assert not problems, "\n".join(problems)


def test_phone_first_post_above_the_fold_and_navigation_in_a_menu(
    browser: Any, live_server: Any, demo_like: dict[str, Any]
) -> None:
    context = _context(browser, live_server, PHONE)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        header = page.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] <= 60
        first = page.locator("#stream-items article.item").first.bounding_box()
        assert first is not None and first["y"] < PHONE["height"] - 80, first
        nav = page.locator("#side-nav")
        expect(nav).to_be_hidden()
        toggle = page.locator("button.menu-toggle")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(nav).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#side-nav a").first).to_be_focused()
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()
        expect(toggle).to_be_focused()
    finally:
        context.close()


def test_language_switch_applies_on_change_and_follows_the_person(
    browser: Any, live_server: Any, demo_like: dict[str, Any]
) -> None:
    from rucher.people.models import Person

    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        expect(page.locator("main h1")).to_have_text("Accueil")
        # No second button: choosing is enough.
        expect(page.locator(".lang-form button")).to_have_count(0)
        # After the main navigation in the tab order.
        order = page.evaluate(
            "() => [...document.querySelectorAll("
            "'a[href], button, select, input:not([type=hidden]), summary')]"
            ".filter(e => e.offsetParent !== null)"
            ".map(e => e.id || e.getAttribute('href') || e.className)"
        )
        assert order.index("language-select") > order.index("/people/"), order
        page.select_option("#language-select", "en")
        page.wait_for_load_state("load")
        expect(page.locator("main h1")).to_have_text("Home")
        assert Person.objects.get(username="employe").language == "en"
        # Day-first English dates for a French organisation (RUCHER_ENGLISH_DATES).
        date = page.locator("article.item time").first.inner_text()
        assert date[2] == "/" and int(date[:2]) <= 31, date
    finally:
        context.close()
    # Another browser, asking for French: the profile's English wins once signed in.
    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        expect(page.locator("main h1")).to_have_text("Home")
    finally:
        context.close()


def test_composer_folds_and_works_from_the_keyboard(
    browser: Any, live_server: Any, demo_like: dict[str, Any]
) -> None:
    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        composer = page.locator("#composer")
        expect(composer).to_have_class("card composer is-folded")
        expect(page.locator("#composer button[type=submit]")).to_be_hidden()
        text = page.locator("#composer textarea")
        expect(text).to_have_attribute("placeholder", "Partagez quelque chose…")
        text.focus()
        expect(page.locator("#composer button[type=submit]")).to_be_visible()
        page.keyboard.type("Publié au clavier seulement")
        page.keyboard.press("Tab")  # to the kind, then where
        expect(page.locator("#composer select[name=kind]")).to_be_focused()
        page.keyboard.press("Tab")
        space = page.locator("#composer select[name=space]")
        expect(space).to_be_focused()
        space.select_option(label="Atelier qualité")
        page.keyboard.press("Tab")
        expect(page.locator("#composer button[type=submit]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#stream-items article").first).to_contain_text(
            "Publié au clavier seulement"
        )
        # The filters menu opens and closes from the keyboard.
        summary = page.locator(".filters-menu summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#filter-kind")).to_be_visible()
        page.locator("#filter-kind").focus()
        page.keyboard.press("Escape")
        expect(page.locator("#filter-kind")).to_be_hidden()
        expect(summary).to_be_focused()
    finally:
        context.close()


def test_account_menu_and_focus_ring_from_the_keyboard(
    browser: Any, live_server: Any, demo_like: dict[str, Any]
) -> None:
    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        summary = page.locator(".account-menu summary")
        summary.focus()
        outline = summary.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline == "solid", outline  # the visible focus ring
        page.keyboard.press("Enter")
        link = page.locator(".account-menu a[href='/people/me/edit/']")
        expect(link).to_be_visible()
        page.keyboard.press("Escape")
        expect(link).to_be_hidden()
        for landmark in ("header", "nav", "main", "footer"):
            expect(page.locator(landmark).first).to_be_attached()
    finally:
        context.close()


def test_installable_manifest_service_worker_and_offline_page(
    browser: Any, live_server: Any, demo_like: dict[str, Any]
) -> None:
    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        href = page.locator("link[rel=manifest]").get_attribute("href")
        manifest = json.loads(page.request.get(href).text())
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            assert page.request.get(icon["src"]).ok, icon
        scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active && r.scope)")
        assert scope == f"{live_server.url}/"
        page.reload()  # now controlled by the worker
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.goto("/spaces/")
        expect(page.locator("h1")).to_have_text("Vous êtes hors ligne")
        context.set_offline(False)
    finally:
        context.close()


def test_profile_photo_upload_is_square_and_cached(
    browser: Any, live_server: Any, demo_like: dict[str, Any], tmp_path: Path
) -> None:
    from PIL import Image

    source = tmp_path / "moi.png"
    Image.new("RGB", (300, 200), (10, 120, 200)).save(source)
    context = _context(browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, "employe")
        page.goto("/people/me/edit/")
        page.set_input_files("#id_photo", str(source))
        page.click(".photo-form button.primary")
        expect(page.locator(".messages")).to_contain_text("Votre photo a été enregistrée.")
        src = page.locator(".photo-form img.avatar").get_attribute("src")
        response = page.request.get(src)
        assert response.ok and response.headers["content-type"] == "image/jpeg"
        assert "max-age=31536000" in response.headers["cache-control"]
        out = tmp_path / "served.jpg"
        out.write_bytes(response.body())
        with Image.open(out) as served:
            assert served.size == (256, 256)
        page.goto("/")
        expect(page.locator(".account-menu summary img.avatar")).to_have_attribute("src", src)
    finally:
        context.close()
