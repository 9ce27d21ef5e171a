from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = _("党建引领")

    def ready(self):
        from audit import trail

        from .models import ContactLink, Meeting, MeetingRule, PartyMember, PartyOrganisation

        # Political affiliation is personal information: the town office reads these entries as counts only.
        trail.track(PartyOrganisation)
        trail.track(PartyMember, sensitive=True)
        trail.track(Meeting, sensitive=True)
        trail.track(ContactLink, village=trail.via("member", "village_id"), sensitive=True)
        trail.track(MeetingRule, village=lambda obj: None)
