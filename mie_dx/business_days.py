"""Business days of the prefecture: weekdays that are not Japanese public holidays.

Holidays come from jpholiday (maintained, includes substitute and national holidays); the
year-end closure (29 Dec – 3 Jan) is observed by Japanese local governments as well.
"""

from datetime import date, timedelta

import jpholiday


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
