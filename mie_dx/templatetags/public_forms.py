"""Fast rendering of the public forms' widgets (issue 12: forms in a few milliseconds).

Django renders every widget — and every option of a select or radio list — through its own
templates; on the consultation form that is some 60 template renders per page, most of the
page's time. These filters write the same HTML in Python for the plain widgets the public
forms use (text, e-mail, textarea, select, radio, checkbox, file, hidden), from the widget's own
context (`Widget.get_context`: the same attributes, values and options as Django's templates).
Any other widget is rendered by Django as usual.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mie_dx.forms import CONDITION_NOTE

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

_INPUTS = (forms.TextInput, forms.EmailInput, forms.HiddenInput, forms.NumberInput)
_FAST = (
    *_INPUTS,
    forms.FileInput,
    forms.Textarea,
    forms.Select,
    forms.RadioSelect,
    forms.CheckboxInput,
)


def _attrs(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: True → the bare name, False → left out."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _context(bound: forms.BoundField) -> dict[str, Any]:
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context: dict[str, Any] = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    return context


def _input(context: dict[str, Any]) -> str:
    value = context["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{context["type"]}" name="{conditional_escape(context["name"])}"'
        f"{value_attr}{_attrs(context['attrs'])}>"
    )


@register.filter
def widget_html(bound: forms.BoundField) -> SafeString:
    """The field's widget, as Django would render it."""
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect) or not isinstance(widget, _FAST):
        # Radios are laid out by radio_options; other widgets by Django.
        return bound.as_widget()
    context = _context(bound)
    if isinstance(widget, forms.FileInput):
        if context.get("is_initial"):
            return bound.as_widget()  # "currently: …, clear" — never on the public forms
        return mark_safe(_input({**context, "value": None}))  # noqa: S308
    name = conditional_escape(context["name"])
    if isinstance(widget, forms.Textarea):
        value = "" if context["value"] is None else context["value"]
        return mark_safe(  # noqa: S308 (every part escaped above)
            f'<textarea name="{name}"{_attrs(context["attrs"])}>\n'
            f"{conditional_escape(value)}</textarea>"
        )
    if isinstance(widget, forms.Select):
        options = "".join(
            f'<option value="{conditional_escape(str(option["value"]))}"'
            f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            for _group, group_options, _index in context["optgroups"]
            for option in group_options
        )
        return mark_safe(f'<select name="{name}"{_attrs(context["attrs"])}>{options}</select>')  # noqa: S308
    return mark_safe(_input(context))  # noqa: S308


@register.filter
def radio_options(bound: forms.BoundField) -> SafeString:
    """Each choice of a RadioSelect as a Bootstrap form-check: the input, then its label."""
    if not isinstance(bound.field.widget, forms.RadioSelect):
        return bound.as_widget()
    context = _context(bound)
    html = []
    for _group, group_options, _index in context["optgroups"]:
        for option in group_options:
            html.append(
                format_html(
                    '<div class="form-check">{}<label for="{}" class="form-check-label">{}'
                    "</label></div>",
                    mark_safe(_input(option)),  # noqa: S308
                    option["attrs"].get("id", ""),
                    option["label"],
                )
            )
    return mark_safe("".join(html))  # noqa: S308


def _badge(bound: forms.BoundField) -> str:
    # format_html, not an f-string: makemessages does not find strings inside f-strings.
    if bound.field.required:
        return format_html(' <span class="badge field-required">{}</span>', _("必須"))
    note = getattr(bound.field, CONDITION_NOTE, "")
    if note:
        return format_html(' <span class="badge field-conditional">{}</span>', note)
    return format_html(' <span class="badge field-optional">{}</span>', _("任意"))


def _help(bound: forms.BoundField, css: str) -> str:
    if not bound.help_text:
        return ""
    return (
        f'<div id="{bound.auto_id}_helptext" class="form-text {css}">'
        f"{conditional_escape(bound.help_text)}</div>"
    )


def _errors(bound: forms.BoundField) -> str:
    errors = bound.errors
    if not errors:
        return ""
    # An ErrorList gives its messages (its __getitem__ unwraps each ValidationError); the
    # stubs type its items as ValidationError | str.
    messages = "".join(
        f'<p class="mb-1">{conditional_escape(error)}</p>'
        for error in cast("Iterable[StrOrPromise]", errors)
    )
    return f'<div id="{bound.auto_id}_error" class="field-error">{messages}</div>'


# The HTML of an unbound form's static fields, per process (see field_html).
_STATIC_HTML: dict[tuple[str | None, ...], SafeString] = {}
_STATIC_HTML_MAX = 1024


@register.filter
def field_html(bound: forms.BoundField) -> SafeString:
    """A field of a public form; an unbound form's static fields (the form's `static_fields`:
    their HTML depends only on the language and the initial value) come from a per-process
    cache, so the empty form a visitor opens costs almost nothing to render."""
    form = bound.form
    if form.is_bound or bound.name not in getattr(form, "static_fields", ()):
        return _field_html(bound)
    key = (
        type(form).__module__,
        type(form).__qualname__,
        bound.name,
        get_language(),
        form.prefix,
        str(form.auto_id),
        repr(bound.value()),
    )
    html = _STATIC_HTML.get(key)
    if html is None:
        html = _field_html(bound)
        if len(_STATIC_HTML) < _STATIC_HTML_MAX:
            _STATIC_HTML[key] = html
    return html


def _field_html(bound: forms.BoundField) -> SafeString:
    """One field of a public form in the Digital Agency design system's order: the label
    with 「必須」 (or 「任意」, or when it is required), the help text, the error saying what
    to do, then the input. Django adds aria-invalid and aria-describedby (<id>_helptext,
    <id>_error) to the input; a radio group gets them on its fieldset.

    Written in Python rather than a template: a dozen fields through a template cost more
    than the rest of the page (issue 12)."""
    widget = bound.field.widget
    label = conditional_escape(bound.label)
    anchor = f"{bound.auto_id}-field"
    css = "field-anchor mb-4 has-error" if bound.errors else "field-anchor mb-4"
    if isinstance(widget, forms.RadioSelect):
        described = " ".join(
            part
            for part, shown in (
                (f"{bound.auto_id}_helptext", bound.help_text),
                (f"{bound.auto_id}_error", bound.errors),
            )
            if shown
        )
        described_attr = f' aria-describedby="{described}"' if described else ""
        body = (
            f"<fieldset{described_attr}>"
            f'<legend class="form-label fs-6 fw-bold">{label}{_badge(bound)}</legend>'
            f"{_help(bound, 'mt-0 mb-1')}{_errors(bound)}{radio_options(bound)}</fieldset>"
        )
    elif isinstance(widget, forms.CheckboxInput):
        body = (
            f'{_errors(bound)}<div class="form-check">{widget_html(bound)}'
            f'<label for="{bound.id_for_label}" class="form-check-label fw-bold">'
            f"{label}{_badge(bound)}</label></div>{_help(bound, '')}"
        )
    else:
        body = (
            f'<label for="{bound.id_for_label}" class="form-label fw-bold">{label}'
            f"{_badge(bound)}</label>{_help(bound, 'mt-0 mb-1')}{_errors(bound)}"
            f"{widget_html(bound)}"
        )
    return mark_safe(f'<div id="{anchor}" class="{css}">{body}</div>')  # noqa: S308
