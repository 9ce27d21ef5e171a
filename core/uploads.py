"""Photos people upload (cases, visits): checked, re-encoded and stripped before they are stored.

Phones send JPEG, PNG, WebP or HEIC photos carrying EXIF with GPS coordinates and device details.
Residents' homes must not leak through a photo's metadata, and a file that only claims to be an image
must not be stored, so every photo is decoded with Pillow, turned upright, shrunk to a sensible size
and written again as a fresh JPEG with no metadata at all. Stored under MEDIA_ROOT (outside the static
root) and served only through views that apply the access door.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
MAX_SIDE = 2048
# A decompression bomb (a tiny file that decodes to gigapixels) is refused before it is decoded.
MAX_PIXELS = 40_000_000


def clean_photo(upload) -> ContentFile:
    """Return the photo as a new metadata-free JPEG, or raise ValidationError with a message to show."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("照片太大（%(size).1f MB），请上传不超过 %(limit)d MB 的照片。")
            % {"size": upload.size / 1_048_576, "limit": limit // 1_048_576}
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("只能上传 JPEG、PNG 或 WebP 格式的照片。"))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("照片像素过大，请换一张照片。"))
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("无法识别这个文件，请上传照片（JPEG、PNG 或 WebP）。")) from exc
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pixels only. ``convert`` copies the source's info dict, and Pillow writes an info "comment" (a
    # JPEG's COM segment, a GIF's comment, a PNG text chunk named "comment") into the new JPEG, so the
    # dict is emptied; EXIF (GPS), XMP and ICC profiles are written only when passed to ``save``, and none is.
    upright.info = {}
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)
    photo = ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
    photo.width, photo.height = upright.size
    return photo
