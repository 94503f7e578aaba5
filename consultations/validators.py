"""Attachment checks: PDF, images and Office files only, at most 10 MB, judged by content."""

from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# What the name says → what the content must be (filetype's extension for the bytes).
# Old Office formats (.doc/.xls/.ppt) share one container format, so any of them matches.
_OLE = {"doc", "xls", "ppt"}
ALLOWED_TYPES: dict[str, set[str]] = {
    "pdf": {"pdf"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "heic": {"heic"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "pptx": {"pptx"},
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
}


def validate_attachment(upload: "UploadedFile[bytes]") -> None:
    allowed_names = ", ".join(sorted(ALLOWED_TYPES))
    # The form's FileField refuses an empty (or sizeless) upload before its validators run.
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("添付ファイルは%(limit)sまでです（選択したファイル: %(size)s）。")
            % {"limit": filesizeformat(MAX_ATTACHMENT_BYTES), "size": filesizeformat(size)},
            code="too_large",
        )
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("添付できるのはPDF、画像、Office文書のみです（%(allowed)s）。")
            % {"allowed": allowed_names},
            code="extension",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_TYPES[extension]:
        raise ValidationError(
            _("ファイルの中身が拡張子（.%(ext)s）と一致しません。別のファイルを選んでください。")
            % {"ext": extension},
            code="content",
        )
