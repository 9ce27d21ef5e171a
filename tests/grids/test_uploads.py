"""Uploads: a file that is not a photo is refused; a photo carrying a script keeps only its
pixels."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from core.uploads import clean_photo
from tests.conftest import png_bytes

SCRIPT = b"<script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><body>" + SCRIPT + b"</body></html>"),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + SCRIPT),  # a PNG signature and then a script
        ("photo.jpg", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(name, content):
    with pytest.raises(ValidationError, match="无法识别这个文件"):
        clean_photo(SimpleUploadedFile(name, content, content_type="image/jpeg"))


def test_a_photo_carrying_a_script_is_stored_as_pixels_only():
    image = Image.new("RGB", (64, 48), "teal")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    polyglot = out.getvalue() + SCRIPT  # text chunk inside, script after the end marker
    assert polyglot.count(SCRIPT) == 2
    stored = clean_photo(SimpleUploadedFile("photo.png", polyglot, content_type="image/png"))
    data = stored.read()
    assert data.startswith(b"\xff\xd8") and b"<script" not in data
    with Image.open(io.BytesIO(data)) as again:
        assert again.format == "JPEG" and again.size == (64, 48)
        assert not again.getexif() and "Comment" not in again.info


def test_a_photos_location_is_not_kept():
    stored = clean_photo(SimpleUploadedFile("gps.png", png_bytes(exif_gps=True), content_type="image/png"))
    with Image.open(io.BytesIO(stored.read())) as again:
        assert not again.getexif()


MARKER = "MARKER-7f3a-comment"


def _jpeg_with_text() -> bytes:
    """A phone photo carrying text in every place a JPEG holds it: a comment (COM), EXIF, XMP, ICC."""
    image = Image.new("RGB", (64, 48), "olive")
    exif = Image.Exif()
    exif[0x010E] = MARKER  # ImageDescription
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        comment=MARKER.encode(),
        exif=exif,
        xmp=f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{MARKER}</x:xmpmeta>'.encode(),
        icc_profile=b"\0\0\0\0" + MARKER.encode(),
    )
    return out.getvalue()


def _png_with_text() -> bytes:
    """A PNG with tEXt (one named "comment", which Pillow reads as the image's comment), iTXt, zTXt, EXIF
    and an ICC profile."""
    image = Image.new("RGB", (64, 48), "navy")
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", MARKER)
    info.add_itxt("Description", MARKER)
    info.add_text("Author", MARKER, zip=True)
    exif = Image.Exif()
    exif[0x010E] = MARKER
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, exif=exif, icc_profile=b"\0\0\0\0" + MARKER.encode())
    return out.getvalue()


def _gif_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "maroon").save(out, format="GIF", comment=MARKER.encode())
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make"), [("phone.jpg", _jpeg_with_text), ("shot.png", _png_with_text), ("anim.gif", _gif_with_comment)]
)
def test_an_uploaded_photo_keeps_no_comment_or_other_text(client, world, worker, name, make):
    """Through the case page (the real upload path): the stored file holds pixels only."""
    from django.urls import reverse

    from disputes.models import CaseAttachment
    from tests.conftest import make_case

    data = make()
    assert MARKER.encode() in data
    case = make_case(world, worker)
    client.force_login(worker)
    response = client.post(
        reverse("disputes:case-photo-add", args=[case.pk]),
        {"photo-image": SimpleUploadedFile(name, data, content_type="image/jpeg"), "photo-caption": ""},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    with attachment.image.open("rb") as stored:
        saved = stored.read()
    assert MARKER.encode() not in saved
    with Image.open(io.BytesIO(saved)) as again:
        assert again.format == "JPEG" and again.size == (64, 48)
        assert not again.getexif()
        assert {"comment", "exif", "icc_profile", "xmp"} & set(again.info) == set()
    # The segments before the picture: no comment (COM), no EXIF or XMP (APP1), no ICC profile (APP2).
    assert {0xFE, 0xE1, 0xE2} & set(_segments(saved)) == set()


def _segments(jpeg: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    markers, i = [], 2
    while jpeg[i] == 0xFF and jpeg[i + 1] != 0xDA:
        markers.append(jpeg[i + 1])
        i += 2 + int.from_bytes(jpeg[i + 2 : i + 4], "big")
    return markers
