from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """The inbox, email, SMS and the exactly-once delivery claim, on the floor just above the territory
    so every domain app can remind people (docs/architecture.md)."""

    name = "messaging"
    verbose_name = _("消息与提醒")
