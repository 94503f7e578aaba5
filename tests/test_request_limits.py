"""Bodies larger than a consultation with its largest attachment are refused before they are
read; uploaded files are private to the portal's user."""

import os
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations.models import Consultation
from tests.consultations.factories import valid_form_data as valid_data
from tests.consultations.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


def test_a_declared_oversized_body_is_refused_before_it_is_read(client, settings):
    # The body is tiny; only its declared length is over the limit. A view that read it would
    # fail differently: the 413 proves nothing looked at it.
    response = client.post(
        "/consultations/new/",
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1),
    )

    assert response.status_code == 413
    assert "10MBまで" in response.content.decode()
    assert response["Connection"] == "close"
    assert not Consultation.objects.exists()


def test_a_real_oversized_upload_is_refused_and_nothing_is_saved(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024  # keep the test light: a 1 MB limit
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))

    response = client.post("/consultations/new/", {**valid_data(), "attachment": upload})

    assert response.status_code == 413
    assert not Consultation.objects.exists()


def test_a_stored_attachment_is_readable_by_the_portal_only(client, private_media):
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes())

    client.post("/consultations/new/", {**valid_data(), "attachment": upload})

    consultation = Consultation.objects.get()
    path = consultation.attachment.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
