"""What a signed-in user is sent is not kept by the browser or a proxy on the way (``Cache-Control:
no-store``): pages, workbooks and API answers hold residents' personal data, and a shared office computer
must not show them again from its cache after the user has logged out. Static files are cached as before,
and a response that sets its own policy keeps it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, make_case, png_bytes


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_resident_page_is_not_stored(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("residents:resident-detail", args=[world.resident1.pk]))
    assert response.status_code == 200
    assert _no_store(response), response.get("Cache-Control")


def test_an_export_is_not_stored(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("residents:resident-export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert _no_store(response), response.get("Cache-Control")


def test_an_api_list_is_not_stored(world, staff):
    """Signed in with a token (the API's own sign-in, not the session)."""
    client = APIClient()
    answer = client.post(reverse("api-token"), {"username": "staff", "password": PASSWORD}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    response = client.get(reverse("api:household-list"))
    assert response.status_code == 200
    assert _no_store(response), response.get("Cache-Control")


def test_a_static_file_is_cached_as_before(client, world, staff, settings):
    settings.WHITENOISE_USE_FINDERS = True  # tests have no collected static folder
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(staff)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert not _no_store(response)


def test_a_photo_keeps_its_own_policy(client, world, staff):
    case = make_case(world, staff, photos=[SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")])
    client.force_login(staff)
    response = client.get(reverse("disputes:case-photo", args=[case.pk, case.attachments.get().pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"
