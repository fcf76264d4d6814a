"""SCIM 2.0 (RFC 7643, RFC 7644) at ``/scim/v2/``: the transport of provisioning.

Payloads are read and written with ``scim2-models`` (pydantic): validation, filters, PATCH
operations and the ``attributes``/``excludedAttributes`` selection are the library's. Each
request carries its connection's bearer token; a connection sees and changes only the users
and groups it provisioned. Errors are SCIM error bodies with the RFC's status and scimType.
"""

from __future__ import annotations

from django.urls import path, re_path

from rucher.provisioning.scim.discovery import (
    not_found,
    resource_types,
    schemas,
    search_everything,
    service_provider_config,
)
from rucher.provisioning.scim.groups import group, groups, search_groups
from rucher.provisioning.scim.users import search_users, user, users

urlpatterns = [
    path("ServiceProviderConfig", service_provider_config, name="scim-config"),
    path("ResourceTypes", resource_types, name="scim-resource-types"),
    path("ResourceTypes/<str:name>", resource_types, name="scim-resource-type"),
    path("Schemas", schemas, name="scim-schemas"),
    path("Schemas/<str:urn>", schemas, name="scim-schema"),
    path("Users", users, name="scim-users"),
    path(".search", search_everything, name="scim-search"),
    path("Users/.search", search_users, name="scim-users-search"),
    path("Groups/.search", search_groups, name="scim-groups-search"),
    path("Users/<str:scim_id>", user, name="scim-user"),
    path("Groups", groups, name="scim-groups"),
    path("Groups/<str:scim_id>", group, name="scim-group"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
