from django.urls import path, register_converter

from mie_dx.pagecache import public_page
from procedures import views


class ProcedureCodeConverter:
    """The shape of Procedure.code (CODE_PATTERN): anything else is a 404 before the database."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProcedureCodeConverter, "procedure_code")

app_name = "procedures"

urlpatterns = [
    path("", views.ProcedureDashboardView.as_view(), name="dashboard"),
    path(
        "progress/",
        public_page(views.ProgressView.as_view(), topics=["procedures"]),
        name="progress",
    ),
    path("progress/online.csv", views.online_procedures_csv, name="online_csv"),
    path("p/<procedure_code:code>/", views.ProcedureDetailView.as_view(), name="detail"),
]
