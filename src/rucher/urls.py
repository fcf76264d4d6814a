from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("rucher.api.urls")),
    path("", include("rucher.web.urls")),
]
