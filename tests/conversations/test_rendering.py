from __future__ import annotations

from rucher.conversations.rendering import extract, render


def test_mentions_topics_and_prefix_are_extracted_outside_code() -> None:
    mentions, topics, prefix = extract("[Sport] Go @marie.l #Course #course `#code @nobody`")
    assert mentions == ["marie.l"]
    assert topics == ["course"]
    assert prefix == "sport"


def test_unknown_mentions_stay_text_and_links_are_safe() -> None:
    rendered = render("Salut @alice et @inconnu, [site](https://exemple.fr)", {"alice"})
    assert rendered.mentions == ["alice"]
    assert 'href="/people/@alice/"' in rendered.html
    assert "@inconnu" in rendered.html and "/people/@inconnu/" not in rendered.html
    assert 'href="https://exemple.fr"' in rendered.html


def test_accented_topics_and_markdown() -> None:
    rendered = render("**Bilan** de l'#équipe-RH")
    assert rendered.topics == ["équipe-rh"]
    assert "<strong>Bilan</strong>" in rendered.html
