"""The render shortcuts of the hot pages (issue 16) give what the slow way gave."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from rucher.web.templatetags.rucher_tags import id_url


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("profile", [7]),
        ("content", [123456]),
        ("flag", ["content", 42]),
        ("edit", [0]),
        ("space", ["un-espace"]),  # not an id: reversed whole
    ],
)
def test_id_url_is_the_reversed_address(name: str, args: list[Any]) -> None:
    assert id_url(name, *args) == reverse(name, args=args)


# streams/_reactions.html as it was before the tag: the tag must give the same markup.
TEMPLATE = """{% load i18n rucher_tags %}
<div class="reactions" id="reactions-{{ item.pk }}">
  <span class="count">{% blocktranslate count counter=item.reaction_count %}{{ counter }} reaction{% plural %}{{ counter }} reactions{% endblocktranslate %}</span>
  {% reaction_kinds as kinds %}
  {% for value, label in kinds %}
  <form method="post" action="{% url 'react' item.pk %}" class="inline"
        hx-post="{% url 'react' item.pk %}" hx-target="#reactions-{{ item.pk }}" hx-swap="outerHTML">
    {% csrf_token %}
    <input type="hidden" name="kind" value="{{ value }}">
    <input type="hidden" name="next" value="{{ request.get_full_path }}">
    <button type="submit" class="reaction{% if my_reaction == value %} active{% endif %}"
            aria-pressed="{% if my_reaction == value %}true{% else %}false{% endif %}"
            >{{ label|capfirst }}{% with n=item.reaction_counts|get_item:value %}{% if n %} <span class="n">{{ n }}</span>{% endif %}{% endwith %}</button>
  </form>
  {% endfor %}
</div>
"""  # noqa: E501


class Item:
    pk = 4802
    reaction_count = 3
    reaction_counts = {"like": 2, "curious": 1}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("mine", [None, "like", "support"])
@pytest.mark.parametrize("token", ["t<o&k>en", None])
def test_the_reactions_tag_gives_the_template_s_markup(
    language: str, mine: str | None, token: str | None
) -> None:
    request = RequestFactory().get("/posts/4802/?replies=all&x=<1>")
    values: dict[str, Any] = {"item": Item(), "my_reaction": mine, "request": request}
    if token:
        values["csrf_token"] = token
    with translation.override(language):
        before = Template(TEMPLATE).render(Context(values))
        after = Template("{% load rucher_tags %}{% reactions item my_reaction %}").render(
            Context(values)
        )
    assert after == before
