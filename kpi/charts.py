"""A small line chart drawn on the server as SVG (no script, no CDN): the target line from
the baseline to the final year and the actual line, each year on the x axis.

The chart is an image with a short label; its text alternative is the table of figures the
template shows beside it.
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from kpi.selectors import KpiFigures

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 14, 12, 26
TARGET_COLOUR = "#6c4a00"  # dark amber, dashed
ACTUAL_COLOUR = "#0b5ed7"


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000):
        top = (value / step).to_integral_value(rounding="ROUND_CEILING") * step
        if top / step <= 6:
            return Decimal(top)
    return value


def _number(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def line_chart(figures: KpiFigures, *, chart_id: str) -> SafeString:
    kpi = figures.kpi
    years = figures.years
    if not years:
        return mark_safe("")
    targets: list[tuple[int, Decimal]] = []
    if kpi.baseline_value is not None and kpi.baseline_fiscal_year is not None:
        targets.append((kpi.baseline_fiscal_year, kpi.baseline_value))
    targets += [(y.fiscal_year, y.target) for y in years if y.target is not None]
    final_fy = kpi.final_target_fiscal_year
    if (
        kpi.final_target_value is not None
        and final_fy is not None
        and final_fy not in {fy for fy, _v in targets}
    ):
        targets.append((final_fy, kpi.final_target_value))
    targets.sort()
    actuals = [(y.fiscal_year, y.actual) for y in years if y.actual is not None]
    values = [v for _fy, v in targets + actuals]
    top = _nice_max(max(values, default=Decimal(1)))
    first, last = years[0].fiscal_year, years[-1].fiscal_year
    span = max(last - first, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(fy: int) -> float:
        return round(LEFT + plot_w * (fy - first) / span, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * float(1 - min(value / top, Decimal(1))), 1)

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="kpi-grid"/>'
        '<text x="{}" y="{}" class="kpi-axis" text-anchor="end">{}</text>',
        (
            (LEFT, y(v), WIDTH - RIGHT, y(v), LEFT - 4, y(v) + 4, _number(v))
            for v in (Decimal(0), top / 2, top)
        ),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="kpi-axis" text-anchor="middle">{}</text>',
        ((x(yr.fiscal_year), HEIGHT - 8, yr.abbr) for yr in years),
    )

    def series(
        points: list[tuple[int, Decimal]], colour: str, dashed: bool, *, join_gaps: bool = False
    ) -> str:
        if not points:
            return ""
        dash = mark_safe(' stroke-dasharray="6 4"') if dashed else ""
        # Actuals join consecutive years only (a year without a figure leaves a gap); the
        # target line runs from the baseline to the final target.
        runs: list[list[tuple[int, Decimal]]] = []
        for fy, v in points:
            if runs and (join_gaps or runs[-1][-1][0] == fy - 1):
                runs[-1].append((fy, v))
            else:
                runs.append([(fy, v)])
        lines = format_html_join(
            "",
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>',
            (
                (" ".join(f"{x(fy)},{y(v)}" for fy, v in run), colour, dash)
                for run in runs
                if len(run) > 1
            ),
        )
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
            ((x(fy), y(v), colour) for fy, v in points),
        )
        return format_html("{}{}", lines, dots)

    label = gettext("%(name)s の推移（目標と実績）。数値は表のとおり。") % {
        "name": kpi.display_name
    }
    return format_html(
        '<svg class="kpi-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
        'preserveAspectRatio="xMidYMid meet" focusable="false">'
        '<title id="{}">{}</title>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        label,
        grid,
        ticks,
        series(targets, TARGET_COLOUR, True, join_gaps=True),
        series(actuals, ACTUAL_COLOUR, False),
    )
