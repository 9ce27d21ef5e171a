"""Party pages: field (docs/party.md). A member's phone: their current contact households, and one tap to
record a contact with one of them (a ``Contact``, not a grid worker's visit). Plain forms: they work
without JavaScript; each row's form carries a token made when the page was drawn, so a double tap or a
retry records the contact once."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grids import access
from residents.models import Household

from .. import rules, selectors, services
from ..models import PartyMember

NOTE_MAX = 100


class ContactForm(forms.Form):
    token = forms.UUIDField(error_messages={"required": gettext_lazy("页面已过期，请刷新后再点。")})
    note = forms.CharField(
        label=gettext_lazy("情况（可不填）"),
        max_length=NOTE_MAX,
        required=False,
        error_messages={"max_length": gettext_lazy("情况请写在 %(limit_value)d 字以内。")},
    )


def _member(request: HttpRequest) -> PartyMember | None:
    """The member record of the login, or None for a member's login not yet linked to one. Whoever is
    neither a member with a login nor linked to a member record: this is not their page (403)."""
    member = selectors.member_for_user(request.user)
    if member is None and not access.scope_for(request.user).member_village_ids:
        raise PermissionDenied(_("此页面供有登录账号的党员记录联系户使用。"))
    return member


@login_required
@require_GET
def field_contacts(request: HttpRequest) -> HttpResponse:
    """The member's home on the phone: their current contact households, contacted this month or not."""
    member = _member(request)
    today = timezone.localdate()
    households = selectors.member_contact_households(member, today) if member is not None else []
    for h in households:
        h.token = uuid.uuid4()  # the tap's token: the same form sent twice records once
    context = {
        "member": member,
        "households": households,
        "done": sum(1 for h in households if h.contacted_on),
        "month": today,
        "note_max": NOTE_MAX,
        # A secretary or committee member (or village staff who are members too) keeps the village's Party
        # records: their way from the phone to the overview.
        "overview_village": member.village_id
        if member is not None and rules.may_see_records(request.user, member.village_id)
        else None,
    }
    return render(request, "party/field_contacts.html", context)


@login_required
@require_POST
def field_contact_record(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: the member was in touch with this household today (with a short note, if any)."""
    member = _member(request)
    if member is None:
        raise Http404
    household = (
        Household.objects.active().filter(pk=pk, party_links__member=member, party_links__ended_on__isnull=True).first()
    )
    if household is None:
        raise Http404  # not one of the member's current contact households
    back = f"{reverse('party:field-contacts')}#h-{household.pk}"
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        _contact, created = services.contact_record(
            by=request.user,
            member=member,
            household=household,
            note=form.cleaned_data["note"],
            client_token=form.cleaned_data["token"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if created:
        messages.success(request, _("已记录：%(address)s 本月已联系。") % {"address": household.address})
    else:
        messages.info(request, _("这次联系已经记录过了，没有重复登记。"))
    return redirect(back)


urlpatterns: list = [
    path("field/party/", field_contacts, name="field-contacts"),
    path("field/party/households/<int:pk>/contact/", field_contact_record, name="field-contact-record"),
]
