"""Normalising what people type into Japanese forms."""

import re
import unicodedata
from collections.abc import Iterable

import jaconv

_DASHES = "‐‑‒–—―−ーｰ－"
_KANA_READING = re.compile(r"^[ァ-ヺー・ 　]+$")


def normalize_kana(value: str) -> str:
    """A reading (フリガナ) in full-width katakana, whatever width or script it was typed in.

    Half-width katakana becomes full-width (ﾐｴ → ミエ), hiragana becomes katakana
    (みえ → ミエ) and runs of spaces of either width become one ideographic space.
    """
    value = jaconv.h2z(value.strip(), kana=True, ascii=False, digit=False)
    value = jaconv.hira2kata(value)
    return re.sub(r"[ 　]+", "　", value)


def search_key(value: str) -> str:
    """`value` folded for a forgiving search: width (NFKC: ﾅﾊﾞﾘ → ナバリ, Ａ → A), hiragana to
    katakana (なばり → ナバリ), letter case, and no spaces of either width."""
    value = unicodedata.normalize("NFKC", value or "")
    value = jaconv.hira2kata(value).casefold()
    return re.sub(r"\s+", "", value)


def is_kana_reading(value: str) -> bool:
    """True when `value` (already normalised) holds only katakana, ー, ・ and spaces."""
    return bool(_KANA_READING.match(value))


def normalize_phone(value: str) -> str:
    """A Japanese phone number in half-width digits with hyphens.

    Accepts full-width digits, any dash, spaces, brackets around the area code and the +81
    country code: '＋８１ (59) 224−3086' → '059-224-3086'. Returns '' for blank input.
    Raises ValueError when the digits cannot be a Japanese number.
    """
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        return ""
    for dash in _DASHES:
        value = value.replace(dash, "-")
    value = re.sub(r"^\+81[\s-]*\(?0?", "0", value)
    value = re.sub(r"[\s()]+", "-", value)
    value = re.sub(r"-{2,}", "-", value).strip("-")
    if not re.fullmatch(r"[0-9-]+", value):
        raise ValueError(value)
    digits = value.replace("-", "")
    # Fixed lines have 10 digits; 11 digits are mobile, IP and 0800 numbers (0X0-).
    if not re.fullmatch(r"0\d{9}|0[5-9]0\d{8}", digits):
        raise ValueError(value)
    return value


def join_list(items: Iterable[object]) -> str:
    """Join names for display: '、' in Japanese, ', ' in English."""
    from django.utils.translation import get_language

    separator = "、" if (get_language() or "ja").startswith("ja") else ", "
    return separator.join(str(item) for item in items)
