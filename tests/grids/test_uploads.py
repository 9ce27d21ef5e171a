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
