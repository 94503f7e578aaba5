"""Seminars in the admin, one module per kind of row: seminars (with check-in, publishing,
cancelling, slots), registrations, surveys. Importing this package registers them."""

from seminars.admin import registrations, seminars, surveys  # noqa: F401 (they register)
