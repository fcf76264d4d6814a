from django.contrib import admin
from django.urls import include, path

from rucher.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("rucher.api.urls")),
    path("cockpit/", include("rucher.cockpit.urls")),
    path("feeds/", include("rucher.feeds.urls")),
    path("scim/v2/", include("rucher.provisioning.scim")),
    path("", include("rucher.web.urls")),
]
