from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from mie_dx.roles import CENTER_STAFF, MANAGERS


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("セミナー")
    url_prefix = "seminars/"

    demo_loader = "seminars.demo.load_seminars"
    # The day-before reminder and the survey after the seminar. Each run sends only what is
    # due and not yet sent, so the interval only bounds how late a message can be.
    beat_schedule = {
        "seminar-reminders": {"task": "seminars.tasks.send_seminar_reminders", "schedule": 900.0},
        "seminar-surveys": {"task": "seminars.tasks.send_seminar_surveys", "schedule": 900.0},
    }
    demo_order = 20
    # Public pages cached under "seminars" (mie_dx.pagecache) follow these rows: a seat taken
    # or freed is a Registration saved; a talk names a supporter.
    page_cache_topics = {
        "seminars": (
            "seminars.Seminar",
            "seminars.Talk",
            "seminars.Registration",
            "advisors.Supporter",
        )
    }
    personal_data_purge = "seminars.retention.purge_expired"
    personal_data_erasers = {"seminars.registration": "seminars.retention.erase_again"}
    personal_data_label = "seminar registrations"
    private_link_paths = ("manage", "survey")
    # Sent once more automatically if a send may or may not have reached the registrant.
    acknowledgement_templates = (
        "seminar_registration_confirmed",
        "seminar_registration_waitlisted",
        "seminar_management_link",
        "seminar_attendance_changed",
        "seminar_registration_cancelled",
    )
    # How the outbox admin names these e-mails (mie_dx.registry).
    notification_templates = {
        "seminar_registration_confirmed": _("セミナー申込みの確認"),
        "seminar_registration_waitlisted": _("セミナーのキャンセル待ち"),
        "seminar_promoted": _("キャンセル待ちからの繰上げ"),
        "seminar_registration_cancelled": _("セミナー申込みの取消し"),
        "seminar_attendance_changed": _("参加方法の変更"),
        "seminar_management_link": _("申込み確認ページのリンク"),
        "seminar_consultation_slot": _("個別相談の時間"),
        "seminar_reminder": _("セミナー前日のお知らせ"),
        "seminar_cancelled": _("セミナーの中止"),
        "seminar_survey": _("セミナーのアンケート"),
    }
    audit_actions = {
        "seminar.published": _("公開"),
        "seminar.cancelled": _("中止"),
        "seminar.held": _("開催済み"),
        "registration.created": _("申込み"),
        "registration.promoted": _("キャンセル待ちからの繰上げ"),
        "registration.cancelled": _("申込みの取消し"),
        "registration.attendance_changed": _("参加方法の変更"),
        "registration.attendance_recorded": _("出欠の記録"),
        "registration.slot_assigned": _("個別相談の時間の割当て"),
        "registration.edited": _("職員による修正"),
        "registration.personal_data_erased": _("個人情報の削除"),
    }
    kpi_sources = {"10-1 a": "seminars.selectors.kpi_survey_usefulness"}
    role_permissions = {
        # センター事務局 run seminars; managers read them (figures, no registrants' details).
        CENTER_STAFF: [
            "seminars.add_seminar",
            "seminars.change_seminar",
            "seminars.view_seminar",
            "seminars.add_talk",
            "seminars.change_talk",
            "seminars.delete_talk",
            "seminars.view_talk",
            "seminars.change_registration",
            "seminars.view_registration",
            "seminars.view_seminarsurvey",
            "seminars.view_personal_data",
        ],
        MANAGERS: ["seminars.view_seminar", "seminars.view_talk", "seminars.view_seminarsurvey"],
    }
