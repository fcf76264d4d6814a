"""The "how it was computed" texts read in French on a French cockpit page: the engine writes
its methods in English with their numbers in them; the cockpit translates them by template
(rucher.cockpit.methods) and puts the numbers back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from rucher.cockpit.methods import PLACEHOLDER, TEMPLATES, method_words, template_of
from rucher.insights.nps import NPS_METHOD
from rucher.insights.sentiment_stance import STANCE_METHOD


def test_a_method_is_cut_into_a_template_and_its_values() -> None:
    template, values = template_of(
        "at least 3 posts; 95 % interval; weights {'post': 1.0} (any verb but viewed, muted)"
    )
    assert template == ("at least {1} posts; {2} % interval; weights {d1} (any verb but {verbs})")
    assert values == {"1": "3", "2": "95", "d1": "{'post': 1.0}", "verbs": "viewed, muted"}


def test_every_template_has_a_french_text_with_the_same_values() -> None:
    with translation.override("fr"):
        for template in TEMPLATES:
            french = translation.gettext(template)
            assert french != template, template
            assert set(PLACEHOLDER.findall(french)) == set(PLACEHOLDER.findall(template))


def test_engine_methods_read_in_french_with_their_numbers() -> None:
    with translation.override("fr"):
        nps = method_words(NPS_METHOD)
        stance = method_words(STANCE_METHOD)
        unknown = method_words("a method nobody translated, 42")
    assert nps.startswith("NPS = 100 × (part des réponses de 9 à 10")
    assert "marge à 95 %" in nps
    assert stance.startswith("score de sentiment moyen, dans [−1, 1]")
    assert unknown == "a method nobody translated, 42"
    with translation.override("en"):
        assert method_words(NPS_METHOD) == NPS_METHOD


@pytest.mark.django_db
def test_a_french_cockpit_page_shows_its_methods_in_french(
    org: dict[str, Any], client_for: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "fr"
    page = client_for(org["cm"]).get("/cockpit/engagement/", headers={"accept-language": "fr"})
    assert page.status_code == 200
    text = page.content.decode()
    methods = re.findall(r"<dt>Méthode</dt><dd>(.*?)</dd>", text, re.S)
    assert methods, "no method shown"
    assert any("contenus écrits sur la période" in m for m in methods), methods
    assert not any("written in the period" in m for m in methods), methods
