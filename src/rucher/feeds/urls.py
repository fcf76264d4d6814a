"""The feeds, mounted at /feeds/ (docs/feeds.md). A format other than atom or rss, a space
address that is not a slug, or a path of any other shape, is not found."""

from __future__ import annotations

from django.urls import re_path

from rucher.feeds import views

app_name = "feeds"
urlpatterns = [
    re_path(r"^(?P<key>[^/]+)/home\.(?P<fmt>atom|rss)$", views.home_feed, name="home"),
    re_path(
        r"^(?P<key>[^/]+)/spaces/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<fmt>atom|rss)$",
        views.space_feed,
        name="space",
    ),
    re_path(
        r"^(?P<key>[^/]+)/topics/(?P<name>[^/]+)\.(?P<fmt>atom|rss)$",
        views.topic_feed,
        name="topic",
    ),
]
