from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS, PROCEDURE_OFFICERS


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("行政手続デジタル化")
    url_prefix = "procedures/"
    # The public list of the joint initiatives with the municipalities (KPI 10-2 b's register).
    extra_url_prefixes = {"municipal-dx/": "procedures.municipal_urls"}

    demo_loader = "procedures.demo.load_demo"
    demo_order = 50  # after the organisation (mie_dx, 0)
    # The public progress page (mie_dx.pagecache) follows the procedures, division names and
    # KPI 10-2 a's targets and baseline (read from the KPI app): a target a manager changes
    # is on the next page served.
    page_cache_topics = {
        "procedures": (
            "procedures.Procedure",
            "mie_dx.Division",
            "mie_dx.Department",
            "kpi.Kpi",
            "kpi.KpiTarget",
        ),
        # /municipal-dx/: the public joint initiatives and their municipalities.
        "municipal_dx": ("procedures.JointInitiative", "procedures.JointInitiativeMunicipality"),
    }
    importers = {
        "procedures": "procedures.resources.ProcedureResource",
        "joint_initiatives": "procedures.initiative_resources.JointInitiativeResource",
    }
    kpi_sources = {
        "10-2 a": "procedures.selectors.kpi_digitised_share",
        "10-2 b": "procedures.selectors.kpi_joint_initiatives",
    }
    audit_actions = {
        "procedure.created": _("手続の登録"),
        "procedure.updated": _("手続の更新"),
        "procedure.digitised": _("デジタル化済"),
        "procedure.plan_changed": _("予定の変更"),
        "procedure.status_changed": _("状態の変更"),
        "procedure.survey_created": _("調査の登録"),
        "procedure.survey_updated": _("調査の更新"),
        "procedure_editor.created": _("手続の編集担当の登録"),
        "procedure_editor.edited": _("手続の編集担当の修正"),
        "procedure_editor.deleted": _("手続の編集担当の削除"),
        "joint_initiative.created": _("市町との連携による取組の登録"),
        "joint_initiative.updated": _("市町との連携による取組の更新"),
        "joint_initiative.deleted": _("市町との連携による取組の削除"),
    }
    role_permissions = {
        # Procedure officers keep the inventory (each their own divisions, see ProcedureEditor;
        # the procedures office is given procedures.change_all_procedures); managers read it.
        PROCEDURE_OFFICERS: [
            "procedures.view_procedure",
            "procedures.add_procedure",
            "procedures.change_procedure",
            "mie_dx.view_division",
            "mie_dx.view_department",
            # The survey's dated record: every officer reads it; only the procedures office
            # (change_all_procedures) adds or corrects it (procedures.admin).
            "procedures.view_inventorysurvey",
            "procedures.add_inventorysurvey",
            "procedures.change_inventorysurvey",
            "procedures.view_inventorysurveyrow",
            "procedures.add_inventorysurveyrow",
            "procedures.change_inventorysurveyrow",
            "procedures.delete_inventorysurveyrow",
        ],
        # Center staff keep the register of joint initiatives with the municipalities (10-2 b).
        CENTER_STAFF: [
            "procedures.view_jointinitiative",
            "procedures.add_jointinitiative",
            "procedures.change_jointinitiative",
            "procedures.delete_jointinitiative",
        ],
        MANAGERS: [
            "procedures.view_jointinitiative",
            "procedures.view_procedure",
            "procedures.view_inventorysurvey",
            "procedures.view_inventorysurveyrow",
        ],
    }
