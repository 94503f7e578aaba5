import pytest

from mie_dx.municipalities import Municipality
from mie_dx.text import is_kana_reading, normalize_kana, normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ﾐｴ ﾀﾛｳ", "ミエ　タロウ"),
        ("みえ　たろう", "ミエ　タロウ"),
        ("ミエ  タロウ", "ミエ　タロウ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
    ],
)
def test_kana_is_stored_as_full_width_katakana(typed, stored):
    assert normalize_kana(typed) == stored
    assert is_kana_reading(stored)


def test_a_reading_in_kanji_or_latin_is_not_kana():
    assert not is_kana_reading(normalize_kana("三重 太郎"))
    assert not is_kana_reading(normalize_kana("Mie Taro"))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("059-224-3086", "059-224-3086"),
        ("０５９－２２４－３０８６", "059-224-3086"),
        ("(059)224-3086", "059-224-3086"),
        ("0592243086", "0592243086"),
        ("+81 59-224-3086", "059-224-3086"),
        ("090 1234 5678", "090-1234-5678"),
        ("", ""),
    ],
)
def test_japanese_phone_formats_are_accepted(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "059-224-30867", "call me", "1592243086"])
def test_impossible_phone_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        normalize_phone(typed)


def test_all_29_municipalities_and_outside_mie():
    assert len(Municipality.choices) == 30
    assert Municipality.TSU.label == "津市"
    assert Municipality.OUTSIDE_MIE.value == "outside"


def test_business_days_skip_weekends_holidays_and_the_year_end_closure():
    from datetime import date

    from mie_dx.business_days import add_business_days, is_business_day

    assert not is_business_day(date(2026, 11, 23))  # 勤労感謝の日
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert is_business_day(date(2026, 11, 26))
    # Thu 26 Nov + 3 business days → Fri 27, Mon 30, Tue 1 Dec
    assert add_business_days(date(2026, 11, 26), 3) == date(2026, 12, 1)
    # Over the year end: Mon 28 Dec 2026 → 4, 5, 6 Jan 2027
    assert add_business_days(date(2026, 12, 28), 3) == date(2027, 1, 6)
    # Golden Week 2026: Thu 30 Apr → Fri 1 May, Thu 7 May, Fri 8 May (3–6 May are holidays)
    assert add_business_days(date(2026, 4, 30), 3) == date(2026, 5, 8)
