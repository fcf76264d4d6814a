from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from rucher.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The admin's own sign-in form would skip the second factor: rucher's sign-in serves it.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", include("rucher.api.urls")),
    path("cockpit/", include("rucher.cockpit.urls")),
    path("feeds/", include("rucher.feeds.urls")),
    path("scim/v2/", include("rucher.provisioning.scim")),
    path("", include("rucher.web.urls")),
]
