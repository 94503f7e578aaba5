"""The office's tables as (headers, rows): shown on the pages and exported as CSV or XLSX.

Names appear only for users with `training.view_personal_data`; an export goes through
`mie_dx.importexport.dataset_response` (the formula guard, the BOM, the private cache header).
"""

from collections.abc import Callable
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext as _

from mie_dx.fiscal import fiscal_year_label
from training import selectors


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=self.headers, title=self.title[:31])
        for row in self.rows:
            data.append(row)
        return data


def _rate_table(title: str, first: str, rows) -> Table:
    return Table(
        title,
        [first, _("対象者数"), _("修了者数"), _("修了率（%）")],
        [[r.label, r.enrolled, r.completed, r.rate] for r in rows],
    )


def by_course(fy: int, *, personal: bool) -> Table:
    return _rate_table(_("研修別の修了率"), _("研修"), selectors.completion_by_course(fy))


def by_stage(fy: int, *, personal: bool) -> Table:
    return _rate_table(_("階層別の修了率"), _("階層"), selectors.completion_by_stage(fy))


def by_department(fy: int, *, personal: bool) -> Table:
    return _rate_table(_("部局別の修了率"), _("部局"), selectors.completion_by_department(fy))


def overdue(fy: int, *, personal: bool, department: str = "", division: str = "") -> Table:
    if not personal:  # how many, by division and course: never a person's row
        return Table(
            _("期限を過ぎた未修了"),
            [_("部局"), _("所属"), _("研修"), _("期間の終了日"), _("未修了者数")],
            [
                [
                    g["division__department__name"],
                    g["division__name"],
                    g["course__name"],
                    g["run__ends_on"],
                    g["count"],
                ]
                for g in selectors.overdue_by_division_and_course(
                    fy, department=department, division=division
                )
            ],
        )
    headers = [
        _("職員番号"),
        _("氏名"),
        _("部局"),
        _("所属"),
        _("研修"),
        _("期間の終了日"),
        _("階層"),
    ]
    rows = []
    for e in selectors.overdue_enrolments(fy, department=department, division=division):
        rows.append(
            [
                e.staff.employee_number,
                e.staff.name,
                e.division.department.name,
                e.division.name,
                e.course.name,
                e.run.ends_on,
                e.get_stage_display(),
            ]
        )
    return Table(_("期限を過ぎた未修了"), headers, rows)


def specialists(fy: int, *, personal: bool) -> Table:
    if not personal:  # how many by division: a person's certification date is theirs
        counts: dict[str, int] = {}
        for c in selectors.certifications(fy):
            counts[c.staff.division.name] = counts.get(c.staff.division.name, 0) + 1
        return Table(
            _("DX推進スペシャリスト"),
            [_("所属"), _("認定者数")],
            [[name, n] for name, n in counts.items()],
        )
    headers = [_("職員番号"), _("氏名"), _("所属"), _("認定日")]
    rows = [
        [c.staff.employee_number, c.staff.name, c.staff.division.name, c.certified_on]
        for c in selectors.certifications(fy)
    ]
    return Table(_("DX推進スペシャリスト"), headers, rows)


def initiatives(fy: int, *, personal: bool) -> Table:
    return Table(
        _("業務改善等の取組"),
        [
            _("実施日"),
            _("取組名"),
            _("所属"),
            _("参加スペシャリスト数"),
            _("うち実施日までに認定"),
            _("KPIに計上"),
            _("成果"),
        ],
        [
            [
                i.date,
                i.title,
                i.division.name,
                i.specialist_count,
                i.certified_specialist_count,
                _("計上") if i.counted else _("計上しない"),
                i.outcome,
            ]
            for i in selectors.initiatives(fy)
        ],
    )


def coverage(fy: int, *, personal: bool) -> Table:
    return Table(
        _("デジタル活用推進員の配置"),
        [_("所属コード"), _("所属"), _("部局"), _("正"), _("副"), _("状況")],
        [
            [r.code, r.name, r.department, r.primary, r.secondary, _coverage_state(r)]
            for r in selectors.promoter_coverage(fy)
        ],
    )


def _coverage_state(row) -> str:
    if row.complete:
        return _("配置済み")
    missing = []
    if row.primary < 1:
        missing.append(_("正"))
    if row.secondary < 1:
        missing.append(_("副"))
    return _("未配置: %(roles)s") % {"roles": "・".join(missing)}


REPORTS: dict[str, Callable[..., Table]] = {
    "courses": by_course,
    "stages": by_stage,
    "departments": by_department,
    "overdue": overdue,
    "specialists": specialists,
    "initiatives": initiatives,
    "coverage": coverage,
}


def filename_stem(report: str, fy: int) -> str:
    return f"training-{report}-{fy}"


def label(fy: int) -> str:
    return fiscal_year_label(fy)
