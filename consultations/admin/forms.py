"""The small forms of the case page: transition, note, reply, who is in charge; the
staff's form for a case taken by phone or at the counter."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.admin.filters import staff_name
from consultations.models import (
    Consultation,
    Source,
    Status,
)
from consultations.services import ConsultationDetails
from consultations.workflow import next_statuses
from mie_dx.forms import clean_kana_field, clean_phone_field

if TYPE_CHECKING:
    # django-stubs' model forms and fields are generic in their model; Django's are not
    # subscriptable.
    _ConsultationModelForm = forms.ModelForm[Consultation]
    _UserChoiceField = forms.ModelChoiceField[User]
else:
    _ConsultationModelForm = forms.ModelForm
    _UserChoiceField = forms.ModelChoiceField


class ConsultationAdminForm(_ConsultationModelForm):
    """Staff edit the requester's details; kana and phone are normalised as on the public form."""

    clean_name_kana = clean_kana_field("name_kana")
    clean_phone = clean_phone_field("phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            # Staff enter consultations taken by phone, e-mail, a visit or at a seminar; only
            # the public form is "web" (and only it records the requester's consent).
            source = cast(forms.ChoiceField, self.fields["source"])  # the model's choices
            source.choices = [
                (value, label) for value, label in Source.choices if value != Source.WEB
            ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk is None:
            # A case taken by phone or at the counter: what is needed to call back, nothing
            # more. No address means no e-mail (the case page says so).
            email, phone = cleaned.get("email"), cleaned.get("phone")
            if cleaned.get("source") == Source.EMAIL and "email" in cleaned and not email:
                self.add_error(
                    "email", _("メールで受け付けた相談には、メールアドレスを入力してください。")
                )
            elif "email" in cleaned and "phone" in cleaned and not (email or phone):
                self.add_error(
                    "phone",
                    _("折り返し連絡できるよう、電話番号かメールアドレスを入力してください。"),
                )
        return cleaned

    class Meta:
        model = Consultation
        fields = ("source", *ConsultationDetails.field_names())


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("変更後の状態"))
    note = forms.CharField(
        label=gettext_lazy("メモ（相談者には表示されません）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any status validates, so that the service (not the form) refuses a transition the
        # workflow does not allow, with its own message ("「受付」から「完了」には…").
        # The menu offers only the allowed next steps.
        self.next_statuses = [
            (status.value, status.label) for status in next_statuses(consultation.status)
        ]
        to_status = cast(forms.ChoiceField, self.fields["to_status"])  # the copy of to_status
        to_status.choices = Status.choices
        to_status.widget.choices = self.next_statuses


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("内部メモ（職員だけが読みます）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("相談者への連絡（相談者の状況確認ページに表示されます）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StaffChoiceField(_UserChoiceField):
    """Staff members as people call them (staff_name)."""

    def label_from_instance(self, obj: User) -> str:
        return staff_name(obj)


class StaffInChargeForm(forms.Form):
    """Who looks after the case: people who work on consultations (they may change a case's
    status: the center staff, administrators), and whoever is in charge now (kept on the
    list if their role changed, so that the page still says who it is)."""

    staff = StaffChoiceField(
        label=gettext_lazy("センター担当者"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("（担当者なし）"),
    )

    def __init__(self, *args: Any, current: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = cast(StaffChoiceField, self.fields["staff"])  # the copy of `staff` above
        staff.queryset = consultation_staff(current=current)


def consultation_staff(*, current: int | None = None) -> "QuerySet[User]":
    """Active staff who may change a consultation's status (`consultations.change_status`,
    through a role or their own), superusers, and the user `current` whatever their role."""
    permission = Q(content_type__app_label="consultations", codename="change_status")
    works_on_consultations = (
        Q(is_superuser=True)
        | Q(groups__permissions__in=Permission.objects.filter(permission))
        | Q(user_permissions__in=Permission.objects.filter(permission))
    )
    chosen = Q(is_staff=True, is_active=True) & works_on_consultations
    if current is not None:
        chosen |= Q(pk=current)
    ids = get_user_model().objects.filter(chosen).values("pk")
    return (
        get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")
    )
