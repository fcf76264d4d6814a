"""Mounted at "cockpit/" (names in the "cockpit" namespace)."""

from __future__ import annotations

from django.urls import path

from rucher.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("spaces/<int:space_id>/", views.space, name="space"),
    path("departments/<int:department_id>/", views.department, name="department"),
    path("partners/<int:organisation_id>/", views.partner, name="partner"),
    # One page per question (cockpit/pages.py); an unknown page is a 404.
    path("spaces/<int:space_id>/<slug:page>/", views.space, name="space_page"),
    path("departments/<int:department_id>/<slug:page>/", views.department, name="department_page"),
    path("partners/<int:organisation_id>/<slug:page>/", views.partner, name="partner_page"),
    path("<slug:page>/", views.overview, name="overview_page"),
    path("assets/plotly-<str:version>.min.js", views.plotly_js, name="plotly_js"),
]
