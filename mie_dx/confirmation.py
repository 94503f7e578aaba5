"""The public forms' confirmation step (確認画面) and the hand-off to the page after it: one
way for every form that collects personal data (spec.md).

- A valid POST without `confirm=1` shows the confirmation page: nothing saved, nothing counted
  against the rate limit. The page re-posts every field (`mie_dx.forms.resubmitted_fields`)
  with `confirm=1`; a valid POST carrying `confirm=1` is saved at once.
- 「修正する」 (`edit`) shows the filled form again, without error messages.
- Over the per-address or per-e-mail budget (mie_dx.ratelimits), the form comes back with what
  was typed and the time it can be sent again (429).
- After the save, the visitor is redirected to a page that says what happened. What that page
  needs (never anything personal: a reference, a status) travels in a signed, short-lived,
  HttpOnly cookie (`Outcome`): no server-side session and no database row per anonymous
  visitor, and nobody else's browser can show it.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mie_dx.forms import confirmation_rows, resubmitted_fields, retention_period_text
from mie_dx.ratelimits import over_limit, too_many, too_many_message


class Outcome:
    """A form's outcome, handed to the page after it in a signed cookie.

    `path` limits the cookie to the pages that read it; `max_age` (seconds) bounds how long
    the page after the form can be reloaded.
    """

    def __init__(self, name: str, *, path: str = "/", max_age: int = 30 * 60) -> None:
        self.name, self.path, self.max_age = name, path, max_age
        self.salt = f"mie_dx.confirmation.{name}"

    def attach(self, response: HttpResponse, outcome: Mapping[str, Any]) -> HttpResponse:
        response.set_cookie(
            self.name,
            signing.dumps(dict(outcome), salt=self.salt),
            max_age=self.max_age,
            path=self.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def read(self, request: HttpRequest) -> dict[str, Any] | None:
        """The outcome this browser was given, or None (none, expired or tampered with)."""
        try:
            value = signing.loads(
                request.COOKIES.get(self.name, ""), salt=self.salt, max_age=self.max_age
            )
        except signing.BadSignature:
            return None
        return value if isinstance(value, dict) else None


class ConfirmationStepMixin:
    """The flow above for a view that validates `form` itself.

    A view implements `form_page(form)` (the form, with its errors), `confirmation_context(
    form)` (what its confirmation page shows beyond the rows and hidden fields), `save(form)`
    (the service call; returns the response, usually `outcome.attach(redirect(...), ...)`),
    and may override `can_save(form)` (a reason the form cannot be saved at all, shown by
    `form_page`, e.g. a registration deadline that passed).
    """

    request: HttpRequest
    confirm_template_name: str
    ratelimit_group: str

    def form_page(self, form: forms.Form) -> HttpResponse:
        raise NotImplementedError

    def confirmation_context(self, form: forms.Form) -> dict[str, Any]:
        return {}

    def save(self, form: forms.Form) -> HttpResponse:
        raise NotImplementedError

    def can_save(self, form: forms.Form) -> bool:
        return True

    def through_confirmation(self, form: forms.Form) -> HttpResponse:
        post = self.request.POST
        if post.get("edit"):
            form.is_valid()  # the filled form again (it was valid: no error to show)
            return self.form_page(form)
        if not (self.can_save(form) and form.is_valid()):
            return self.form_page(form)
        email = form.cleaned_data.get("email", "")
        if over_limit(self.request, group=self.ratelimit_group, email=email):
            form.add_error(None, too_many_message(self.request))
            return too_many(self.request, self.form_page(form))
        if post.get("confirm") != "1":
            return render(
                self.request,
                self.confirm_template_name,
                {
                    "form": form,
                    "rows": confirmation_rows(form),
                    "hidden_fields": list(resubmitted_fields(form)),
                    "retention": retention_period_text(),
                    **self.confirmation_context(form),
                },
            )
        # Counted against the per-e-mail budget once saved (mie_dx.ratelimits).
        self.counted_email = email
        return self.save(form)
