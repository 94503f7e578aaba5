"""An attachment held between the form and its confirmation page (確認画面).

A browser never re-posts a file from hidden inputs, so the file chosen on the form is kept in
the private storage under `pending/` (a random name, never under static) and the confirmation
page carries a signed token naming it. The token is signed with SECRET_KEY and expires after
PENDING_MAX_AGE; the file is removed when the consultation is saved (its copy is then the
consultation's attachment), and files left behind by someone who never confirmed are removed,
once older than PENDING_MAX_AGE, the next time anyone uploads one and by the nightly purge.
"""

import logging
import uuid
from datetime import timedelta
from pathlib import PurePath
from typing import TypedDict

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

logger = logging.getLogger(__name__)

PENDING_DIR = "pending"
PENDING_MAX_AGE = timedelta(hours=2)
_SALT = "consultations.pending-attachment"


class _Pending(TypedDict):
    """What a token names: the kept file in the storage and the name it was uploaded under."""

    path: str
    name: str


def keep(upload: "UploadedFile[bytes]") -> str:
    """Store the upload until the confirmation comes back; returns the token naming it."""
    sweep()
    name = upload.name or ""  # an upload always has the name the browser gave it
    suffix = PurePath(name).suffix.lower()[:10]
    path = default_storage.save(f"{PENDING_DIR}/{uuid.uuid4().hex}{suffix}", upload)
    return signing.dumps(_Pending(path=path, name=name), salt=_SALT)


def _payload(token: str) -> _Pending | None:
    try:
        data: _Pending = signing.loads(token, salt=_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    path = data.get("path", "")
    if not path.startswith(f"{PENDING_DIR}/") or not default_storage.exists(path):
        return None
    return data


def name_of(token: str) -> str | None:
    """The original file name, or None when the token is invalid, expired or its file gone."""
    data = _payload(token)
    return data["name"] if data else None


def open_file(token: str) -> "File[bytes] | None":
    data = _payload(token)
    if data is None:
        return None
    return File(default_storage.open(data["path"], "rb"), name=data["name"])


def discard(token: str) -> None:
    data = _payload(token)
    if data is not None:
        default_storage.delete(data["path"])


def sweep() -> int:
    """Remove pending files nobody confirmed (personal data must not linger): at every upload
    and in the nightly purge (consultations.retention). Returns how many were removed."""
    removed = 0
    try:
        _, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return removed
    limit = timezone.now() - PENDING_MAX_AGE
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
