from django import template

from mie_dx.fiscal import fiscal_year_label

register = template.Library()


@register.filter
def fiscal_year(fy: int | None) -> str:
    """{{ supporter.term_start_fy|fiscal_year }} → 令和4年度 (FY2022 in English)."""
    return "" if fy is None else fiscal_year_label(fy)
