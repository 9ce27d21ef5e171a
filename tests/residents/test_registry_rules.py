"""Registry rules: each refused with a clear message, nothing saved."""

from django.urls import reverse

from residents.models import Household, HouseholdMove, IdNumberDisclosure, Resident, ResidentMove
from tests.conftest import ID1, ID3

NEW_ID = "110105199003070017"  # valid check digit


def _resident_post(**extra):
    data = {
        "name": "新居民",
        "id_number": NEW_ID,
        "household": "0001",
        "relation": "20",
        "ethnicity": "01",
        "political": "13",
        "registration": "registered",
        "lives_here": "on",
    }
    data.update(extra)
    return data


def test_staff_registers_a_resident(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post())
    assert response.status_code == 302
    resident = Resident.objects.get(name="新居民")
    assert resident.household == world.household1
    assert resident.gender == "1" and str(resident.birth_date) == "1990-03-07"


def test_wrong_check_digit_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("residents:resident-create", args=[world.village.pk]), _resident_post(id_number=NEW_ID[:-1] + "8")
    )
    assert "身份证号码校验位错误：最后一位应为7" in response.content.decode()
    assert not Resident.objects.filter(name="新居民").exists()
    assert response.context["form"]["name"].value() == "新居民"


def test_duplicate_id_number_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post(id_number=ID1))
    assert "该身份证号码已登记为本村居民“张三”。" in response.content.decode()
    assert not Resident.objects.filter(name="新居民").exists()


def test_duplicate_in_another_village_does_not_leak_the_name(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post(id_number=ID3))
    page = response.content.decode()
    assert "该身份证号码无法在本村登记，请联系镇综治办。" in page
    assert "其他村" not in page and "王五" not in page and world.other_village.name not in page
    assert not Resident.objects.filter(name="新居民").exists()


def test_a_resident_cannot_be_in_two_households(client, world, staff):
    """Putting a registered person into a second household is a duplicate registration: refused.
    Moving them is the move action, which takes them out of the first."""
    client.force_login(staff)
    response = client.post(
        reverse("residents:resident-create", args=[world.village.pk]),
        _resident_post(id_number=world.resident2.id_number, household="0001"),
    )
    assert "一人只能登记一次" in response.content.decode()
    assert Resident.objects.with_id_number(world.resident2.id_number).count() == 1
    response = client.post(
        reverse("residents:resident-move", args=[world.resident2.pk]), {"household": "0001", "relation": "70"}
    )
    assert response.status_code == 302
    world.resident2.refresh_from_db()
    assert world.resident2.household == world.household1
    move = ResidentMove.objects.get(resident=world.resident2)
    assert (move.from_household, move.to_household) == (world.household2, world.household1)


def test_household_cannot_move_to_another_villages_micro_grid(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("residents:household-move", args=[world.household1.pk]), {"micro_grid": world.other_micro.pk}
    )
    assert "请选择本村的微网格；所选项不存在或不属于本村。" in response.content.decode()
    world.household1.refresh_from_db()
    assert world.household1.micro_grid == world.micro1
    assert not HouseholdMove.objects.exists()


def test_household_move_keeps_history_and_updates_grid(client, world, staff):
    client.force_login(staff)
    client.post(
        reverse("residents:household-move", args=[world.household1.pk]), {"micro_grid": world.micro2.pk, "note": "分户"}
    )
    world.household1.refresh_from_db()
    assert (world.household1.micro_grid, world.household1.grid) == (world.micro2, world.grid2)
    page = client.get(reverse("residents:household-detail", args=[world.household1.pk])).content.decode()
    assert "1a → 第二网格 2a" in page and "分户" in page


def test_second_head_is_refused(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post(relation="02"))
    assert "这一户已有户主。" in response.content.decode()
    assert not Resident.objects.filter(name="新居民").exists()


def test_bad_mobile_number(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("residents:resident-create", args=[world.village.pk]), _resident_post(phone="2345"))
    assert "手机号应为以1开头的11位数字。" in response.content.decode()


def test_archive_and_restore_a_household_with_its_members(client, world, staff):
    client.force_login(staff)
    client.post(reverse("residents:household-archive", args=[world.household1.pk]))
    assert Household.objects.get(pk=world.household1.pk).is_archived
    assert Resident.objects.get(pk=world.resident1.pk).is_archived
    assert not Resident.objects.active().filter(pk=world.resident1.pk).exists()
    client.post(reverse("residents:household-restore", args=[world.household1.pk]))
    assert not Resident.objects.get(pk=world.resident1.pk).is_archived


def test_full_id_number_is_shown_to_staff_and_recorded(client, world, staff):
    client.force_login(staff)
    page = client.get(reverse("residents:resident-detail", args=[world.resident1.pk])).content.decode()
    assert ID1 not in page and "1101**********002X" in page
    response = client.post(reverse("residents:resident-id-number", args=[world.resident1.pk]))
    assert ID1 in response.content.decode()
    disclosure = IdNumberDisclosure.objects.get()
    assert (disclosure.viewer, disclosure.resident) == (staff, world.resident1)


def test_grid_worker_and_town_see_masked_numbers_only(client, world, worker, town):
    for user in (worker, town):
        client.force_login(user)
        page = client.get(reverse("residents:resident-detail", args=[world.resident1.pk])).content.decode()
        assert ID1 not in page and "11****************" in page and "002X" not in page
        assert client.post(reverse("residents:resident-id-number", args=[world.resident1.pk])).status_code == 403
    assert not IdNumberDisclosure.objects.exists()


def test_grid_worker_corrects_a_phone_in_their_grid(client, world, worker):
    client.force_login(worker)
    url = reverse("residents:field-household-edit", args=[world.household1.pk])
    response = client.post(url, {"phone": "123", "living_status": "resident", "address": "张庄1号"})
    assert "手机号应为以1开头的11位数字。" in response.content.decode()
    client.post(url, {"phone": "13812345678", "living_status": "resident", "address": "张庄1号"})
    world.household1.refresh_from_db()
    assert world.household1.phone == "13812345678"


def test_key_person_rules(client, world, staff):
    client.force_login(staff)
    response = client.post(
        reverse("residents:keyperson-create", args=[world.resident2.pk]),
        {"category": "mental", "attention": "high", "listed_from": "2026-01-01", "risk_level": "7"},
    )
    page = response.content.decode()
    assert "严重精神障碍患者须填写监护人。" in page
    assert not world.resident2.key_listings.exists()


def _key_person_post(**extra):
    data = {
        "category": "mental",
        "attention": "high",
        "listed_from": "2026-01-01",
        "risk_level": "3",
        "guardian_name": "李大",
        "responsible-TOTAL_FORMS": "4",
        "responsible-INITIAL_FORMS": "0",
        "responsible-MIN_NUM_FORMS": "0",
        "responsible-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_level_3_patient_needs_the_whole_four_to_one_team(client, world, staff):
    client.force_login(staff)
    url = reverse("residents:keyperson-create", args=[world.resident2.pk])
    team = {
        "responsible-0-role": "cadre",
        "responsible-0-name": "王书记",
        "responsible-1-role": "doctor",
        "responsible-1-name": "赵医生",
    }
    response = client.post(url, _key_person_post(**team))
    assert "还缺：社区民警、监护人" in response.content.decode()
    assert not world.resident2.key_listings.exists()
    team |= {
        "responsible-2-role": "police",
        "responsible-2-name": "孙警官",
        "responsible-3-role": "guardian",
        "responsible-3-name": "李大",
    }
    assert client.post(url, _key_person_post(**team)).status_code == 302
    listing = world.resident2.key_listings.get()
    assert sorted(listing.responsibles.values_list("role", flat=True)) == ["cadre", "doctor", "guardian", "police"]
    assert listing.needs_four_to_one_team


def test_level_2_patient_needs_no_full_team(client, world, staff):
    client.force_login(staff)
    url = reverse("residents:keyperson-create", args=[world.resident2.pk])
    assert client.post(url, _key_person_post(risk_level="2")).status_code == 302


def test_key_place_archive_and_restore(client, world, staff):
    client.force_login(staff)
    url = reverse("residents:keyplace-archive", args=[world.key_place1.pk])
    client.post(url)
    world.key_place1.refresh_from_db()
    assert world.key_place1.is_archived
    assert world.key_place1 not in client.get(reverse("residents:keyplace-list")).context["page"].object_list
    client.post(url, {"restore": "1"})
    world.key_place1.refresh_from_db()
    assert not world.key_place1.is_archived


def test_rental_owner_and_tenants_are_named_by_id_number(client, world, staff):
    from tests.conftest import ID2

    client.force_login(staff)
    url = reverse("residents:keyplace-update", args=[world.key_place1.pk])
    data = {"type": "rental", "name": "张三出租房", "grid": world.grid1.pk, "address": "张庄1号"}
    response = client.post(url, data | {"owner_id_number": ID1, "tenant_id_numbers": "110105199003070018"})
    assert "身份证号码校验位错误" in response.content.decode()
    response = client.post(url, data | {"owner_id_number": ID1, "tenant_id_numbers": ID3})
    assert "本村没有登记身份证号码为 3207**********1232 的居民。" in response.content.decode()
    assert client.post(url, data | {"owner_id_number": ID1, "tenant_id_numbers": ID2}).status_code == 302
    world.key_place1.refresh_from_db()
    assert world.key_place1.owner == world.resident1
    assert list(world.key_place1.tenants.all()) == [world.resident2]
