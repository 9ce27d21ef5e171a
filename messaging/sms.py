"""SMS backends. A backend is a class with ``send(phone: str, text: str, *, key: str) -> None`` that
raises on failure; ``key`` is unique per message, for gateways that deduplicate. Choose one with the
``SMS_BACKEND`` setting (dotted path). The default only logs, so nothing is sent until a real gateway
is configured.

A real gateway (e.g. Aliyun or Tencent Cloud SMS) is a small class in your deployment::

    class AliyunBackend:
        def send(self, phone, text, *, key):
            response = client.send_sms(phone_numbers=phone, sign_name=..., template_code=...,
                                       template_param=json.dumps({"text": text}), out_id=key)
            if response.code != "OK":
                raise OSError(response.message)
"""

from __future__ import annotations

import logging

log = logging.getLogger("messaging.sms")


class LogBackend:
    def send(self, phone: str, text: str, *, key: str) -> None:
        log.info("SMS to %s****%s [%s]: %s", phone[:3], phone[-4:], key, text)


class MemoryBackend:
    """For tests: keeps what was sent."""

    outbox: list[tuple[str, str, str]] = []

    def send(self, phone: str, text: str, *, key: str) -> None:
        MemoryBackend.outbox.append((phone, text, key))
