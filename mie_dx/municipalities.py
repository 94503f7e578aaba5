"""Mie Prefecture's 29 市町 (domain.md), for forms and filters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.TextChoices):
    TSU = "tsu", _("津市")
    YOKKAICHI = "yokkaichi", _("四日市市")
    ISE = "ise", _("伊勢市")
    MATSUSAKA = "matsusaka", _("松阪市")
    KUWANA = "kuwana", _("桑名市")
    SUZUKA = "suzuka", _("鈴鹿市")
    NABARI = "nabari", _("名張市")
    OWASE = "owase", _("尾鷲市")
    KAMEYAMA = "kameyama", _("亀山市")
    TOBA = "toba", _("鳥羽市")
    KUMANO = "kumano", _("熊野市")
    INABE = "inabe", _("いなべ市")
    SHIMA = "shima", _("志摩市")
    IGA = "iga", _("伊賀市")
    KISOSAKI = "kisosaki", _("木曽岬町")
    TOIN = "toin", _("東員町")
    KOMONO = "komono", _("菰野町")
    ASAHI = "asahi", _("朝日町")
    KAWAGOE = "kawagoe", _("川越町")
    TAKI = "taki", _("多気町")
    MEIWA = "meiwa", _("明和町")
    ODAI = "odai", _("大台町")
    TAMAKI = "tamaki", _("玉城町")
    WATARAI = "watarai", _("度会町")
    TAIKI = "taiki", _("大紀町")
    MINAMIISE = "minamiise", _("南伊勢町")
    KIHOKU = "kihoku", _("紀北町")
    MIHAMA = "mihama", _("御浜町")
    KIHO = "kiho", _("紀宝町")
    OUTSIDE_MIE = "outside", _("三重県外")
