"""Logging that never carries a private link's token (mie_dx.tokens.mask_private_links).

`MaskPrivateLinks` is a logging filter on the portal's handlers (settings.LOGGING): Django logs
"Bad Request: /consultations/supporter/<token>/" and similar. `GunicornLogger` does the same
for gunicorn's access log (the request line and the referrer).
"""

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from gunicorn.glogging import Logger

from mie_dx.tokens import mask_private_links

if TYPE_CHECKING:
    from gunicorn.http.message import Request
    from gunicorn.http.wsgi import Response


class MaskPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_private_links(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class GunicornLogger(Logger):
    """gunicorn --logger-class mie_dx.log_filters.GunicornLogger"""

    def atoms(
        self,
        resp: "Response",
        req: "Request",
        environ: dict[str, Any],
        request_time: timedelta,
    ) -> dict[str, object]:
        atoms = super().atoms(resp, req, environ, request_time)
        # The request line, the path, the referrer, and any header or environ value a custom
        # log format may name.
        return {
            key: mask_private_links(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
