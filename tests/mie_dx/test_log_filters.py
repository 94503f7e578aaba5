"""No private link's token reaches a log line: Django's loggers and gunicorn's access log."""

import logging
from types import SimpleNamespace

from gunicorn.config import Config

from mie_dx.log_filters import GunicornLogger, MaskPrivateLinks
from mie_dx.tokens import mask_private_links, new_token

TOKEN = new_token()


def test_every_kind_of_private_link_is_masked():
    for path in ("/consultations/status/", "/consultations/survey/", "/seminars/manage/"):
        assert mask_private_links(f"GET {path}{TOKEN}/ 200") == f"GET {path}…/ 200"
    # Other paths are left alone.
    assert mask_private_links(f"/seminars/{TOKEN}/") == f"/seminars/{TOKEN}/"


def test_djangos_log_records_are_masked_by_the_portals_handler(caplog):
    logger = logging.getLogger("django.request")
    handler_filter = MaskPrivateLinks()
    record = logger.makeRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Bad Request: %s",
        (f"/consultations/supporter/{TOKEN}/",),
        None,
    )

    assert handler_filter.filter(record) is True
    assert TOKEN not in record.getMessage()
    assert "/consultations/supporter/…/" in record.getMessage()


def test_gunicorns_access_log_line_has_no_token():
    logger = GunicornLogger(Config())
    request = SimpleNamespace(
        method="GET",
        uri=f"/seminars/manage/{TOKEN}/",
        path=f"/seminars/manage/{TOKEN}/",
        query="",
        version=(1, 1),
        headers=[("REFERER", f"https://x.example/seminars/manage/{TOKEN}/")],
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://x.example/seminars/manage/{TOKEN}/",
        "HTTP_USER_AGENT": "test",
        "RAW_URI": f"/seminars/manage/{TOKEN}/",
        "PATH_INFO": f"/seminars/manage/{TOKEN}/",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
    }

    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1))

    assert all(TOKEN not in str(value) for value in atoms.values())
    assert "/seminars/manage/…/" in atoms["r"]
