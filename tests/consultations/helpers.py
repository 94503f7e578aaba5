"""Small helpers for the consultation tests: reading pages and mails, building uploads."""

import io
import re
import struct
import zipfile
import zlib
from html.parser import HTMLParser

from django.core import mail

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _ElementText(HTMLParser):
    """The text inside the element with a given id (nested elements included)."""

    def __init__(self, element_id: str):
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag not in VOID_TAGS:
                self.depth += 1
        elif dict(attrs).get("id") == self.element_id and tag not in VOID_TAGS:
            self.found = True
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID_TAGS:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def element_text(html: str, element_id: str) -> str:
    """The whitespace-collapsed text of the element `id=element_id`; AssertionError if absent."""
    parser = _ElementText(element_id)
    parser.feed(html)
    assert parser.found, f"no element with id={element_id!r} in the page"
    return " ".join("".join(parser.parts).split())


def field_error(html: str, field: str) -> str:
    """The error shown next to a form field (crispy's invalid-feedback for `id_<field>`)."""
    return element_text(html, f"id_{field}_error")


def error_summary(html: str) -> str:
    return element_text(html, "error-summary")


def link_in(message: mail.EmailMessage, path: str) -> str:
    """The site-relative URL in a mail's text body that starts with `path`."""
    match = re.search(rf"https?://[^\s/]+({re.escape(path)}[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def html_body(message: mail.EmailMultiAlternatives) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


# --- Uploads that are what their name says (or not) ------------------------------------------


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    """A minimal Word document (Office Open XML in a zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"/>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()
