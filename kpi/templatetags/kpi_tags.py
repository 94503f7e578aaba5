from decimal import Decimal

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def kpi_number(value: Decimal | None) -> str:
    """62457 → 62,457; 31.8 → 31.8; None → —."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,}"


@register.filter
def kpi_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{kpi_number(value)}{unit}"


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
