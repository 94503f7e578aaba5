from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import MANAGERS


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("KPI")
    url_prefix = "kpi/"

    demo_loader = "kpi.demo.load_kpis"
    demo_order = 900  # last: its figures read every other app's demo data
    audit_actions = {
        "kpi.actual_entered": _("実績の入力"),
        "kpi.actual_corrected": _("実績の修正"),
    }
    # Managers read the dashboard and enter the figures the portal does not hold.
    role_permissions = {
        MANAGERS: [
            "kpi.view_kpi",
            "kpi.view_kpitarget",
            "kpi.view_kpiactual",
            "kpi.add_kpiactual",
            "kpi.change_kpiactual",
            # The annual report's texts and budget figures (its figures are the KPIs').
            *(
                f"kpi.{action}_{model}"
                for model in ("annualreport", "reportindicator", "reportbudget", "reportparagraph")
                for action in ("view", "add", "change", "delete")
            ),
        ],
    }
