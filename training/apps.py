from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import MANAGERS, TRAINING_OFFICERS

_MODELS = (
    "staff",
    "course",
    "courserun",
    "stageperiod",
    "enrolment",
    "specialistcertification",
    "municipalobserver",
    "initiative",
    "promoterappointment",
    "staffsurvey",
)
# Managers see the figures (/training/, view_figures), never a person's record: no staff,
# enrolments (a person's course and dates), certifications, observers, initiatives (the
# specialists taking part) nor appointments. Only the plan's reference data in the admin.
_MANAGER_MODELS = ("course", "courserun", "stageperiod")
# The staff survey's rounds: the training office or a manager runs one. The invitations and
# answers have no admin at all (mie_dx anonymity: nobody lists who answered what).
_SURVEY_PERMISSIONS = [f"training.{verb}_staffsurvey" for verb in ("add", "change", "view")]

# Reminders of unfinished mandatory training: every morning (Asia/Tokyo), 08:30.
BEAT_ENTRY = "training-reminders"
# The staff survey's reminder (once per round, before it closes): every morning, 09:00.
SURVEY_BEAT_ENTRY = "training-staff-survey-reminders"


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("DX人材育成")
    url_prefix = "training/"

    demo_loader = "training.demo.load_training_plan"
    demo_order = 30  # after the organisation (mie_dx)
    importers = {
        "staff": "training.resources.StaffResource",
        "completions": "training.resources.CompletionResource",
    }
    kpi_sources = {
        "行政運営6 a": "training.selectors.kpi_specialist_initiatives",
        "行政運営6 b": "training.selectors.kpi_digital_communication",
        "県政レポート 主指標": "training.selectors.kpi_smart_government",
    }
    private_link_paths = ("staff-survey",)
    # How the outbox admin names these e-mails (mie_dx.registry).
    notification_templates = {
        "training_reminder": _("受講期間終了前の受講のお願い"),
        "staff_survey": _("職員アンケートのお願い"),
        "staff_survey_reminder": _("職員アンケートの督促"),
    }
    audit_actions = {
        "training.auto_enrolled": _("必修研修の自動登録"),
        "training.enrolled": _("受講登録"),
        "training.promoters_enrolled": _("推進員研修への推進員の登録"),
        "training.completed": _("修了の記録"),
        "training.completion_cleared": _("修了の取消し"),
        "training.specialist_certified": _("DX推進スペシャリストの認定"),
        "training.observer_added": _("市町オブザーバーの登録"),
        "training.initiative_recorded": _("業務改善等の取組の登録"),
        "training.initiative_edited": _("業務改善等の取組の修正"),
        "training.promoter_appointed": _("デジタル活用推進員の任命"),
        "training.promoter_replaced": _("デジタル活用推進員の交代"),
        "training.promoter_dismissed": _("デジタル活用推進員の任命の終了"),
        "training.reminders_queued": _("受講督促メールの送信予約"),
        "training.staff_imported": _("職員名簿の取込み"),
        "training.staff_survey_sent": _("職員アンケートの送信"),
        "training.staff_survey_reminded": _("職員アンケートの督促メールの送信予約"),
        "training.edited": _("職員による修正"),
        "training.created": _("登録"),
        "training.deleted": _("削除"),
    }
    beat_schedule = {
        BEAT_ENTRY: {
            "task": "training.tasks.send_training_reminders",
            "schedule": crontab(hour=8, minute=30),
        },
        SURVEY_BEAT_ENTRY: {
            "task": "training.tasks.send_staff_survey_reminders",
            "schedule": crontab(hour=9, minute=0),
        },
    }
    role_permissions = {
        TRAINING_OFFICERS: [
            *(
                f"training.{verb}_{model}"
                for model in _MODELS
                for verb in ("add", "change", "view")
            ),
            "training.delete_courserun",
            "training.delete_stageperiod",
            "training.delete_promoterappointment",
            "training.view_personal_data",
            "training.view_figures",
        ],
        MANAGERS: [f"training.view_{model}" for model in _MANAGER_MODELS]
        + ["training.view_figures", *_SURVEY_PERMISSIONS],
    }
