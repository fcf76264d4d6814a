"""Signing in, and local accounts' passwords: Django's auth views with rucher's templates.

A person with an authenticator app gives its code after the password (web/views_security).

The sign-in form explains a throttled attempt (people/throttle.py) instead of calling it a
wrong password; a successful password reset (or change) lifts the account's sign-in delays.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from rucher.identity import two_factor
from rucher.people import throttle
from rucher.web import sso
from rucher.web.security import ENROL_KEY
from rucher.web.views_security import begin_second_step


class SignInForm(AuthenticationForm):
    throttled = ""  # the explanation shown instead of "wrong password"
    refused = ""  # a right password the organisation does not accept (single sign-on only)

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not sso.local_password_allowed(user):
            self.refused = _(
                "Your organisation signs you in through its identity provider: use the button "
                "below. Local passwords are kept for administrators only."
            )
            raise forms.ValidationError(self.refused, code="sso_only")

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if refusal := throttle.refusal_of(self.request):
                self.throttled = refusal.message
                raise forms.ValidationError(refusal.message, code="throttled") from None
            raise


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"sso_providers": sso.providers()}

    def form_valid(self, form: Any) -> HttpResponse:
        """The password is right. With an authenticator, nobody is signed in before its code
        (``/login/code/``); without one where the organisation requires it, the session is
        signed in but may only turn it on (web/security.TwoFactorGate)."""
        person = form.get_user()
        if two_factor.device_of(person) is not None:
            return begin_second_step(self.request, person, self.get_redirect_url())
        response = super().form_valid(form)
        if two_factor.required_for(person):
            self.request.session[ENROL_KEY] = True
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            if refusal := throttle.refusal_of(self.request):
                response["Retry-After"] = str(refusal.retry_after)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with a limit on the e-mails one can make rucher send."""

    def form_valid(self, form: Any) -> HttpResponse:
        refusal = throttle.claim_reset(
            form.cleaned_data["email"], throttle.client_address(self.request)
        )
        if refusal is not None:
            form.add_error(None, refusal.message)
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(refusal.retry_after)
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        throttle.clear_failures(form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        throttle.clear_failures(form.user.get_username())
        return response


password_reset = PasswordResetView.as_view(
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view()
sign_in = SignInView.as_view()
