from decimal import Decimal

from django import template
from django.utils.translation import gettext

from kpi.selectors import quantize

register = template.Library()


@register.filter
def kpi_value(value: Decimal | None, kpi) -> str:
    """A KPI's value with its unit, as the prefecture prints it: 75.0%, 62,457件; None → —."""
    value = quantize(value, kpi.measure)
    if value is None:
        return "—"
    return f"{value:,}{kpi.unit}"


@register.filter
def ratio(value: Decimal | None) -> str:
    """An achievement ratio as the 県政レポート prints it: 0.80."""
    return "—" if value is None else f"{value:.2f}"


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@register.simple_tag
def source_label(source: str) -> str:
    return {"computed": gettext("集計"), "entered": gettext("入力")}.get(source, "")
