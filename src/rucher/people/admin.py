from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from rucher.people.models import Department, Organisation, Person, Site, Tag


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "kind",
        "department",
        "site",
        "is_active",
    )
    list_filter = ("kind", "department", "site", "organisation", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "rucher",
            {
                "fields": (
                    "kind",
                    "organisation",
                    "department",
                    "site",
                    "job_title",
                    "manager",
                    "languages",
                    "bio",
                    "left_at",
                )
            },
        ),
    )


admin.site.register([Department, Site, Organisation, Tag])
