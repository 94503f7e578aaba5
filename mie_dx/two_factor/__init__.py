"""The staff second factor (TOTP with django-otp, and one-time recovery codes).

Who must use it (`policy.requires_second_factor`): superusers and everyone who holds any app's
`view_personal_data` permission. Everyone else on the staff may enrol, and is then asked for
a code too. A user who must and has signed in with the password only is sent to the
verification page (or, with no device yet, to enrolment) by `middleware`, whatever page they
ask for; the admin site refuses them as well (`admin_site`), in case a view is reached another
way. Wrong codes count toward the django-axes lockout like wrong passwords.
"""
