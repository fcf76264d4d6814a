"""The web pages (mounted at "/" after the API)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from rucher.web import (
    accounts,
    sso,
    views_app,
    views_audit,
    views_charter,
    views_content,
    views_expertise,
    views_meaning,
    views_moderation,
    views_notifications,
    views_people,
    views_privacy,
    views_rules,
    views_search,
    views_settings,
    views_spaces,
    views_streams,
    views_unsubscribe,
    views_webhooks,
)

urlpatterns = [
    path("login/", accounts.sign_in, name="login"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("password/reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("settings/password/", accounts.password_change, name="password_change"),
    path("settings/password/done/", accounts.password_change_done, name="password_change_done"),
    path("sso/oidc/start/", sso.oidc_start, name="sso_oidc_start"),
    path("sso/oidc/callback/", sso.oidc_callback, name="sso_oidc_callback"),
    path("sso/saml/start/", sso.saml_start, name="sso_saml_start"),
    path("sso/saml/acs/", sso.saml_acs, name="sso_saml_acs"),
    path("sso/saml/metadata/", sso.saml_metadata, name="sso_saml_metadata"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch keeps the choice in the profile too (views_app.set_language).
    path("i18n/setlang/", views_app.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Installable: manifest, service worker (at the root, for its scope), offline page.
    path("manifest.webmanifest", views_app.manifest, name="manifest"),
    path("sw.js", views_app.service_worker, name="service_worker"),
    path("offline/", views_app.offline, name="offline"),
    path("people/me/photo/", views_app.photo_upload, name="photo_upload"),
    path("people/<int:person_id>/photo/<str:version>.jpg", views_app.photo, name="photo"),
    # Streams
    path("", views_streams.home, name="home"),
    path("questions/", views_streams.my_questions, name="my_questions"),
    path("questions/similar/", views_meaning.similar_questions, name="similar_questions"),
    path("topics/<str:name>/", views_streams.topic, name="topic"),
    path("posts/new/", views_streams.compose, name="compose"),
    path("posts/<int:content_id>/react/", views_streams.react, name="react"),
    # Content
    path("posts/<int:content_id>/", views_content.content_page, name="content"),
    path("posts/<int:content_id>/reply/", views_content.reply, name="reply"),
    path("posts/<int:content_id>/accept/", views_content.accept, name="accept"),
    path("posts/<int:content_id>/edit/", views_content.edit, name="edit"),
    path("posts/<int:content_id>/delete/", views_content.delete, name="delete"),
    path("posts/<int:content_id>/share/", views_content.share, name="share"),
    path("posts/<int:content_id>/vote/", views_content.vote, name="vote"),
    path("posts/<int:content_id>/attach/", views_content.upload, name="attach"),
    path("files/<int:attachment_id>/", views_content.download, name="download"),
    # Spaces
    path("spaces/", views_spaces.space_list, name="spaces"),
    path("spaces/new/", views_spaces.space_create, name="space_create"),
    path("spaces/<slug:slug>/", views_spaces.space_page, name="space"),
    path("spaces/<slug:slug>/join/", views_spaces.join, name="space_join"),
    path("spaces/<slug:slug>/leave/", views_spaces.leave, name="space_leave"),
    path("spaces/<slug:slug>/invite/", views_spaces.invite, name="space_invite"),
    path("spaces/<slug:slug>/rules/", views_charter.space_rules, name="space_rules"),
    path("spaces/<slug:slug>/poll/", views_content.new_poll, name="space_poll"),
    path(
        "spaces/<slug:slug>/requests/<int:membership_id>/approve/",
        views_spaces.approve,
        name="space_approve",
    ),
    path("spaces/<slug:slug>/roles/", views_spaces.change_role_by_username, name="space_roles"),
    path(
        "spaces/<slug:slug>/members/<int:membership_id>/role/",
        views_spaces.change_role,
        name="space_role",
    ),
    # People
    path("search/", views_search.search_page, name="search"),
    path("search/suggest/", views_search.suggest, name="search_suggest"),
    path("people/", views_people.directory, name="directory"),
    path("experts/", views_expertise.experts, name="experts"),
    path("people/me/edit/", views_people.profile_edit, name="profile_edit"),
    path("people/contacts/", views_people.contacts, name="contacts"),
    path("people/@<str:username>/", views_people.profile_by_username, name="profile_by_username"),
    path("people/<int:person_id>/", views_people.profile, name="profile"),
    path("people/<int:person_id>/org/", views_people.org_chart, name="org_chart"),
    path("people/<int:person_id>/contact/", views_people.contact, name="contact"),
    path("follow/", views_people.follow, name="follow"),
    # Notifications
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/menu/", views_notifications.menu, name="notifications_menu"),
    path("notifications/read/", views_notifications.mark_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/",
        views_notifications.open_notification,
        name="notification_open",
    ),
    # Settings and moderation
    path("settings/", views_settings.preferences, name="preferences"),
    path(
        "settings/notifications/",
        views_notifications.notification_settings,
        name="notification_settings",
    ),
    path("settings/hide/", views_settings.hide_rule, name="hide_rule"),
    path("settings/tokens/", views_settings.api_tokens, name="api_tokens"),
    # Personal data (docs/privacy.md)
    path("settings/privacy/", views_privacy.privacy_settings, name="privacy_settings"),
    path("settings/privacy/export/", views_privacy.request_export, name="request_export"),
    path(
        "settings/privacy/exports/<int:export_id>/",
        views_privacy.download_export,
        name="download_export",
    ),
    path("settings/privacy/erase/", views_privacy.erase_my_account, name="erase_my_account"),
    path("people/<int:person_id>/erase/", views_privacy.erase_member, name="erase_member"),
    path("spaces/<slug:slug>/retention/", views_privacy.space_retention, name="space_retention"),
    path("settings/sessions/", views_settings.sessions, name="sessions"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views_settings.revoke_api_token,
        name="revoke_token",
    ),
    path("charter/", views_charter.charter, name="charter"),
    path("charter/manage/", views_charter.charter_manage, name="charter_manage"),
    path("moderation/", views_moderation.moderation, name="moderation"),
    path("moderation/decide/", views_moderation.decide, name="moderation_decide"),
    path(
        "moderation/suspensions/<int:space_id>/<int:person_id>/lift/",
        views_moderation.lift,
        name="lift_suspension",
    ),
    path("moderation/flag/<str:item_type>/<int:item_id>/", views_moderation.flag, name="flag"),
    path("moderation/rules/", views_rules.organisation_rules, name="publishing_rules"),
    path(
        "moderation/rules/spaces/<int:space_id>/",
        views_rules.space_rules,
        name="space_publishing_rules",
    ),
    path("settings/webhooks/", views_webhooks.webhooks, name="webhooks"),
    path("settings/webhooks/<int:endpoint_id>/", views_webhooks.webhook, name="webhook"),
    path(
        "settings/webhooks/<int:endpoint_id>/rotate/",
        views_webhooks.rotate_secret,
        name="webhook_rotate",
    ),
    path("settings/webhooks/<int:endpoint_id>/ping/", views_webhooks.ping, name="webhook_ping"),
    path(
        "settings/webhooks/<int:endpoint_id>/delete/", views_webhooks.delete, name="webhook_delete"
    ),
    path(
        "settings/webhooks/deliveries/<int:delivery_id>/",
        views_webhooks.delivery,
        name="webhook_delivery",
    ),
    path(
        "settings/webhooks/deliveries/<int:delivery_id>/replay/",
        views_webhooks.replay,
        name="webhook_replay",
    ),
    path("settings/feeds/", views_settings.feeds, name="feed_settings"),
    path("audit/", views_audit.audit_trail, name="audit_trail"),
    path("moderation/<int:content_id>/restore/", views_settings.restore, name="restore"),
    # One-click unsubscribe from e-mails (signed links, no sign-in: RFC 8058)
    path("unsubscribe/<str:token>/", views_unsubscribe.unsubscribe_page, name="unsubscribe"),
]
