"""The project's URLs with stand-ins for the Party pages another build adds (tests/tooling/test_bench.py):
each answers with a table of the village's members in a fixed number of queries, so the bench's Party
scenarios can be run before the real pages are there."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, URLResolver, include, path, reverse

from governance.urls import urlpatterns as project
from party import urls as party_urls
from party.models import PartyMember

NAMES = {
    "overview": "villages/<int:pk>/party/",
    "member-list": "villages/<int:pk>/party/members/",
    "town-compliance": "town/party/",
}


def stand_in(request, pk=None):
    members = PartyMember.objects.filter(village_id=pk) if pk else PartyMember.objects.all()
    rows = "".join(f"<tr><td>{m.pk}</td></tr>" for m in members.order_by("pk")[:50])
    return HttpResponse(f"<table><tbody>{rows}</tbody></table>")


def _missing(name: str) -> bool:
    try:
        reverse(f"party:{name}", args=[1] if "<int:pk>" in NAMES[name] else [])
    except NoReverseMatch:
        return True
    return False


extra = [path(route, stand_in, name=name) for name, route in NAMES.items() if _missing(name)]
urlpatterns = [
    entry for entry in project if not (isinstance(entry, URLResolver) and getattr(entry, "app_name", "") == "party")
] + [path("", include((party_urls.urlpatterns + extra, "party")))]
