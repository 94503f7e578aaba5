"""What staff do next on a case, in words, and the buttons that do it."""

from typing import TypedDict

from django.utils.translation import gettext as _

from consultations.models import (
    Assignment,
    Consultation,
    Status,
)
from mie_dx.text import join_list

# ("start_matching" | "match", label) or ("transition", label, to_status).
Action = tuple[str, str] | tuple[str, str, str]


class NextStep(TypedDict):
    text: str
    actions: list[Action]


def next_step(consultation: Consultation, assignments: list[Assignment]) -> NextStep:
    """What staff do next on the case, in words, and the buttons that do it.

    Each action is `("start_matching", label)` (a button: the case moves to matching, then
    the suggestions), `("match", label)` (a link to the suggestions page: nothing changes) or
    `("transition", label, to_status)`; the first is the primary one. Moving the case is
    always a button of its own: looking at the suggestions never changes the status.
    """
    status = consultation.status
    proposed = [a.supporter.name for a in assignments if a.state == Assignment.State.PROPOSED]
    accepted = [a for a in assignments if a.state == Assignment.State.ACCEPTED]
    declined = [a.supporter.name for a in assignments if a.state == Assignment.State.DECLINED]
    look: Action = ("match", _("推薦を見る"))
    if status == Status.RECEIVED:
        return {
            "text": _(
                "内容を確認してください。アドバイザー・パートナーへの依頼が必要なら、"
                "課題の明確化を経て、そのままマッチングへ進めます。推薦は状態を変えずに見られます。"
            ),
            "actions": [
                ("start_matching", _("マッチングへ進む")),
                ("transition", _("課題の明確化へ進む"), Status.TRIAGE),
                look,
            ],
        }
    if status == Status.TRIAGE:
        return {
            "text": _(
                "課題を整理したら、マッチングへ進むか、センターの助言で解決したときは完了にします。"
            ),
            "actions": [
                ("start_matching", _("マッチングへ進む")),
                ("transition", _("完了にする（アンケートを送る）"), Status.CLOSED),
                look,
            ],
        }
    if status == Status.MATCHING:
        if proposed:
            return {
                "text": _(
                    "%(names)s の回答を待っています（依頼中）。受諾されると「助言・提案」に進み、"
                    "相談者にお知らせします。"
                )
                % {"names": join_list(proposed)},
                "actions": [
                    ("match", _("ほかのアドバイザー・パートナーにも依頼する（推薦を見る）"))
                ],
            }
        if accepted:
            return {
                "text": _(
                    "%(names)s が受諾しています。助言・提案に戻すか、推薦を見てほかの"
                    "アドバイザー・パートナーにも依頼してください。"
                )
                % {"names": join_list(a.supporter.name for a in accepted)},
                "actions": [
                    ("transition", _("助言・提案に戻す"), Status.ADVISING),
                    ("match", _("アドバイザー・パートナーを選ぶ（推薦を見る）")),
                ],
            }
        text = _("推薦を見て、アドバイザー・パートナーに依頼してください。")
        if declined:
            text = _("%(names)s が辞退しました。") % {"names": join_list(declined)} + text
        return {
            "text": text,
            "actions": [("match", _("アドバイザー・パートナーを選ぶ（推薦を見る）"))],
        }
    if status == Status.ADVISING:
        text = (
            _("%(names)s の回答も待っています。") % {"names": join_list(proposed)}
            if proposed
            else ""
        ) + _("助言・提案を記録し、終わったら完了にしてください。")
        return {
            "text": text,
            "actions": [("transition", _("完了にする（アンケートを送る）"), Status.CLOSED)],
        }
    if status == Status.ON_HOLD:
        actions: list[Action] = [
            ("transition", _("課題の明確化に戻す"), Status.TRIAGE),
            ("start_matching", _("マッチングへ進む")),
        ]
        text = _("保留中です。再開するときは、課題の明確化かマッチングに戻してください。")
        if accepted:
            actions.insert(0, ("transition", _("助言・提案に戻す"), Status.ADVISING))
            text = _(
                "保留中です。受諾したアドバイザー・パートナーがいるため、助言・提案に戻せます。"
                "課題の明確化やマッチングに戻すこともできます。"
            )
        return {"text": text, "actions": [*actions, look]}
    return {"text": _("この相談は終了しています。"), "actions": []}
