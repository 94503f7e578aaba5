from decimal import Decimal

from django import template
from django.utils.translation import gettext

from kpi.models import Kpi
from kpi.selectors import quantize
from mie_dx.fiscal import fiscal_year_label

register = template.Library()


def _joined(value: str, suffix: str) -> str:
    """'75.0%', '62,457件'; English words get a space: '62,457 applications', '90.0% or more'."""
    if suffix and suffix[0].isascii() and suffix[0].isalpha():
        return f"{value} {suffix}"
    return f"{value}{suffix}"


@register.filter
def kpi_value(value: Decimal | None, kpi: Kpi) -> str:
    """A KPI's value with its unit, as the prefecture prints it: 75.0%, 62,457件; None → —."""
    if value is None or value == "":  # "": the template's lookup of a missing year
        return "—"
    value = quantize(value, kpi.measure)
    return _joined(f"{value:,}", kpi.display_unit)


@register.filter
def kpi_final_target(kpi: Kpi) -> str:
    """The final target with its note: 91件, 90.0%以上 ('90.0% or more'); — when there is none."""
    if kpi.final_target_value is None:
        return "—"
    return _joined(kpi_value(kpi.final_target_value, kpi), kpi.display_final_target_note)


@register.filter
def ratio(value: Decimal | None) -> str:
    """An achievement ratio as the 県政レポート prints it: 0.80."""
    return "—" if value is None or value == "" else f"{value:.2f}"


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None or value == "" else f"{value * 100:.0f}%"


@register.filter
def fiscal_label(fy: int) -> str:
    """令和3年度 (FY2021 in English)."""
    return fiscal_year_label(fy)


@register.filter
def number_or_dash(value: int | str | None) -> str:  # "": the template's missing lookup
    return "—" if value is None or value == "" else f"{value:,}"


@register.simple_tag
def source_label(source: str) -> str:
    return {"computed": gettext("集計"), "entered": gettext("入力")}.get(source, "")
