"""The API's body parser (DRF's ``DEFAULT_PARSER_CLASSES``). A module of its own: DRF imports it while
defining ``APIView``, so it may not import DRF's views (``core.rest`` does)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

UNREADABLE_BODY = _("无法读取请求的内容：请发送一个 JSON 对象（{…}）或一个表单。")


class JSONObjectParser(parsers.JSONParser):
    """A JSON body is an object: every request body in the schema is one, and the views read it by name (a
    list or a bare number used to reach ``request.data.get`` and fail there with a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ParseError(UNREADABLE_BODY)
        return data
