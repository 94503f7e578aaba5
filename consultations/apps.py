from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("相談")
    url_prefix = "consultations/"

    demo_loader = "consultations.demo.load_sample_consultations"
    demo_order = 30  # after seminars, as before
    personal_data_purge = "consultations.retention.purge_expired"
    personal_data_erasers = {"consultations.consultation": "consultations.retention.erase_again"}
    personal_data_label = "consultations"
    private_link_paths = ("status", "survey", "supporter")
    # Sent once more automatically if a send may or may not have reached the requester.
    acknowledgement_templates = ("consultation_received",)
    # The center's own alerts: sent once more too (a duplicate costs nothing).
    internal_alert_templates = (
        "consultation_new_staff_alert",
        "consultation_withdrawn_staff_alert",
        "assignment_answered_staff_alert",
        "consultation_stale_staff_alert",
    )
    # How the outbox admin names these e-mails (mie_dx.registry).
    notification_templates = {
        "consultation_received": _("相談の受付（相談者へ）"),
        "consultation_matched": _("アドバイザー等の決定（相談者へ）"),
        "consultation_status_changed": _("状態の変更（相談者へ）"),
        "consultation_reply": _("センターからの連絡（相談者へ）"),
        "consultation_survey": _("満足度アンケート（相談者へ）"),
        "consultation_survey_reminder": _("アンケートの再依頼（相談者へ）"),
        "consultation_new_staff_alert": _("新しい相談（センターへ）"),
        "consultation_stale_staff_alert": _("未対応の相談（センターへ）"),
        "consultation_withdrawn_staff_alert": _("相談の取下げ（センターへ）"),
        "assignment_proposed": _("相談の依頼（アドバイザー等へ）"),
        "assignment_cancelled": _("依頼の取消し（アドバイザー等へ）"),
        "assignment_answered_staff_alert": _("依頼への回答（センターへ）"),
    }
    audit_actions = {
        "consultation.received": _("受付"),
        "consultation.status_changed": _("状態の変更"),
        "consultation.edited": _("職員による修正"),
        "consultation.corrected": _("相談者の情報・相談内容の訂正"),
        "consultation.staff_in_charge_set": _("センター担当者の変更"),
        "consultation.replied": _("相談者への連絡"),
        "consultation.note_added": _("内部メモの追加"),
        "consultation.supporters_assigned": _("アドバイザー等への依頼"),
        "consultation.supporter_accepted": _("アドバイザー等の受諾"),
        "consultation.supporter_declined": _("アドバイザー等の辞退"),
        "consultation.assignments_cancelled": _("依頼の取消し"),
        "consultation.advice_recorded": _("助言・提案の記録"),
        "consultation.personal_data_erased": _("個人情報の削除"),
        "survey.answered": _("アンケート回答"),
        "support_record.recorded": _("相談窓口以外の支援の記録"),
        "support_record.corrected": _("相談窓口以外の支援記録の修正"),
        "support_record.deleted": _("相談窓口以外の支援記録の削除"),
    }
    kpi_sources = {
        "10-1 a": "consultations.selectors.kpi_survey_usefulness",
        # The desk's consultations and the support given by the other programmes add up.
        "10-1 b": (
            "consultations.selectors.kpi_support_cases",
            "consultations.selectors.kpi_support_records",
        ),
    }
    beat_schedule = {
        # One survey reminder 7 days after closing (hourly in office hours); stale new cases.
        "consultation-survey-reminders": {
            "task": "consultations.tasks.send_survey_reminders",
            "schedule": crontab(minute=0, hour="9-17"),
        },
        "consultation-stale-alerts": {
            "task": "consultations.tasks.alert_stale_consultations",
            "schedule": crontab(minute=30, hour="8-18"),
        },
    }
    # `import_data support_records FILE`: support given outside the desk (no personal data).
    importers = {"support_records": "consultations.resources.SupportRecordResource"}
    role_permissions = {
        CENTER_STAFF: [
            "consultations.add_consultation",
            "consultations.change_consultation",
            "consultations.view_consultation",
            "consultations.change_status",
            "consultations.view_personal_data",
            "consultations.view_survey",
            "consultations.add_supportrecord",
            "consultations.change_supportrecord",
            "consultations.view_supportrecord",
            "consultations.delete_supportrecord",
        ],
        # Managers read figures: consultations without the requesters' personal data, and
        # the support records (which hold none).
        MANAGERS: [
            "consultations.view_consultation",
            "consultations.view_survey",
            "consultations.view_supportrecord",
        ],
    }
