"""The staff roles of the portal, as Django groups (created by a data migration).

Each app's own migrations grant its model permissions to these groups; README lists them.
"""

CENTER_STAFF = "センター事務局"
TRAINING_OFFICERS = "人材育成担当"
PROCEDURE_OFFICERS = "行政手続担当"
MANAGERS = "管理職（KPI閲覧）"

ALL_ROLES = (CENTER_STAFF, TRAINING_OFFICERS, PROCEDURE_OFFICERS, MANAGERS)
