"""The public publicity notice (docs/cogovernance.md, "Who sees what"): open without a login behind the
deliberation's unguessable link, only once approved and while not archived; only the allow-listed fields,
their free text redacted of the registry's names and phones and of anything shaped like a mobile or an ID
number; nothing else of the deliberation, whatever was written in it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cogovernance import public, services
from cogovernance.models import Deliberation, DeliberationMeeting, Progress, Research, ResearchKind, Stage
from party.models import OrgKind
from residents.models import Household, KeyPerson, Resident
from tests.cogovernance.conftest import D, propose, to_stage
from tests.conftest import ID1
from tests.party.conftest import org

pytestmark = pytest.mark.django_db

PUBLISH = D(2026, 1, 10)
MOBILE = "15800001111"
RESIDENT_PHONE = "13912340001"
HOUSEHOLD_PHONE = "13700002222"


def url(d: Deliberation) -> str:
    return reverse("cogovernance:public-notice", args=[d.public_token])


def published(world, staff, **fields) -> Deliberation:
    return to_stage(propose(world.village, staff, **fields), Stage.PUBLISHED, staff, publish_on=PUBLISH)


def test_the_notice_opens_without_a_login_and_writes_no_cookie(client, world, staff):
    d = published(world, staff)
    response = client.get(url(d))
    assert response.status_code == 200
    html = response.content.decode()
    assert d.title in html and "村委会办公室" in html and world.village.name in html
    assert "2026年1月10日" in html and "2026年1月16日" in html  # seven days, the first one the publication day
    assert '<meta name="robots" content="noindex">' in html
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert not response.cookies and "sessionid" not in client.cookies
    assert "logout" not in html and "nav" not in html  # a page of its own: no staff layout, no user


def test_a_logged_in_persona_sees_the_same_page_and_nothing_of_theirs(client, world, staff):
    d = published(world, staff)
    client.force_login(staff)
    html = client.get(url(d)).content.decode()
    assert staff.username not in html and (staff.full_name or "村干部") not in html


def test_the_approving_organisation_is_named(client, world, staff):
    top = org(world.village, OrgKind.GENERAL_BRANCH, "一村党总支")
    d = to_stage(propose(world.village, staff), Stage.SUBMITTED, staff)
    services.deliberation_approve(
        deliberation=d, by=staff, approved_on=PUBLISH, opinions_to="村委会", party_organisation=top
    )
    assert "一村党总支" in client.get(url(d)).content.decode()


def test_a_wrong_token_an_unapproved_and_an_archived_deliberation_are_not_found(client, world, staff):
    proposed = propose(world.village, staff)
    submitted = to_stage(propose(world.village, staff, title="修路"), Stage.SUBMITTED, staff)
    archived = published(world, staff, title="建广场")
    Deliberation.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    later = to_stage(published(world, staff, title="污水"), Stage.CLOSED, staff, publish_on=PUBLISH)
    assert client.get(url(later)).status_code == 200  # still public once resolved and done
    assert client.get(reverse("cogovernance:public-notice", args=["x" * 32])).status_code == 404
    for d in (proposed, submitted, archived):
        assert client.get(url(d)).status_code == 404


def test_a_token_is_long_and_each_deliberation_has_its_own(world, staff):
    a, b = propose(world.village, staff), propose(world.village, staff, title="修路")
    assert len(a.public_token) >= 32 and len(b.public_token) >= 32 and a.public_token != b.public_token
    assert public.notice_path(a) == url(a)


def test_personal_data_planted_everywhere_never_reaches_the_page(client, world, staff):
    """The attack: a resident's name, their phone, the household's phone, any mobile and an ID number in every
    free-text field; markers in the fields the notice does not show at all."""
    r = world.resident1
    Resident.objects.filter(pk=r.pk).update(phone=RESIDENT_PHONE)
    Household.objects.filter(pk=world.household1.pk).update(phone=HOUSEHOLD_PHONE)
    secrets = [r.name, RESIDENT_PHONE, HOUSEHOLD_PHONE, MOBILE, ID1, "张大"]  # 张大: key person 1's guardian

    def plant(marker: str) -> str:
        return f"{marker}：{r.name}（电话 {RESIDENT_PHONE}，户 {HOUSEHOLD_PHONE}，手机 {MOBILE}，身份证 {ID1}，监护人张大）"

    d = Deliberation(
        village=world.village, title=plant("T")[:100], summary=plant("S"), proposer=plant("PROPOSER-X1")[:60]
    )
    d = services.deliberation_save(by=staff, deliberation=d)
    services.research_add(
        deliberation=d,
        by=staff,
        research=Research(
            kind=ResearchKind.INTERVIEW,
            held_on=PUBLISH - datetime.timedelta(days=5),
            count=3,
            summary=plant("RESEARCH-X2"),
        ),
    )
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=staff)
    d = services.deliberation_move(deliberation=d, to=Stage.RETURNED, by=staff, note=plant("SENDBACK-X3"))
    d = services.deliberation_move(deliberation=d, to=Stage.SUBMITTED, by=staff)
    d = services.deliberation_approve(
        deliberation=d,
        by=staff,
        approved_on=PUBLISH - datetime.timedelta(days=1),
        publish_on=PUBLISH,
        opinions_to=plant("O")[:200],
        note=plant("APPROVE-X4"),
    )
    m = DeliberationMeeting(
        held_on=PUBLISH + datetime.timedelta(days=2),
        place=plant("PLACE-X5")[:100],
        representatives=5,
        departments=plant("DEPT-X6")[:200],
        minutes=plant("MINUTES-X7"),
    )
    d = services.deliberation_meeting(deliberation=d, by=staff, meeting=m)
    d = services.deliberation_resolve(
        deliberation=d, by=staff, resolution=plant("RESOLUTION-X8"), resolved_on=PUBLISH + datetime.timedelta(days=7)
    )
    d = services.deliberation_move(deliberation=d, to=Stage.IMPLEMENTING, by=staff)
    services.progress_add(
        deliberation=d,
        by=staff,
        progress=Progress(noted_on=PUBLISH + datetime.timedelta(days=9), text=plant("PROGRESS-X9")),
    )
    html = client.get(url(d)).content.decode()
    for secret in secrets:
        assert secret not in html, secret
    assert "某某" in html and "***" in html  # the allowed fields are shown, redacted
    for marker in ("PROPOSER", "RESEARCH", "SENDBACK", "APPROVE", "PLACE", "DEPT", "MINUTES", "RESOLUTION", "PROGRESS"):
        assert marker not in html, marker
    assert staff.username not in html


def test_redact_takes_out_the_villages_people_and_any_personal_number(world, django_assert_num_queries):
    KeyPerson.objects.filter(pk=world.key_person1.pk).update(guardian_phone="13600003333")
    text = (
        f"张三丰和张三、张大（13600003333）商量；王五是二村的；李（单字不算）；"
        f"{ID1}、110105491231002、320723 19800101 1232、138-1234-5678、13812345678；2026年1月10日，187盏，20万元"
    )
    from tests.conftest import make_resident

    make_resident(world.household1, "张三丰", "110105200001010016", relation="20")
    with django_assert_num_queries(2):  # the village's names, its phones
        out = public.redact(text, world.village.pk)
    assert out.startswith("某某和某某、某某（***）商量；王五是二村的；李（单字不算）；")
    assert "***、***、***、***、***；2026年1月10日，187盏，20万元" in out


def test_redact_of_nothing_asks_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert public.redact("", world.village.pk) == ""


def test_the_page_asks_a_constant_number_of_queries(client, world, staff, django_assert_max_num_queries):
    d = published(world, staff)
    with django_assert_max_num_queries(3):  # the deliberation with its village and organisation; names; phones
        assert client.get(url(d)).status_code == 200


def test_the_staff_page_gives_the_public_address_once_approved(client, world, staff):
    d = propose(world.village, staff)
    client.force_login(staff)
    detail = reverse("cogovernance:deliberation-detail", args=[d.pk])
    assert d.public_token not in client.get(detail).content.decode()  # nothing public before approval
    d = to_stage(d, Stage.PUBLISHED, staff, publish_on=PUBLISH)
    page = client.get(detail).content.decode()
    assert f"http://testserver{url(d)}" in page
    client.logout()
    assert client.get(url(d)).status_code == 200
