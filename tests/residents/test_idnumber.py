"""GB 11643 ID numbers: validation messages, derived facts, protection at rest."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from residents import idnumber
from residents.models import Resident
from tests.conftest import ID1


def test_valid_number_gives_birth_date_and_gender():
    facts = idnumber.parse(ID1)
    assert facts.birth_date == datetime.date(1949, 12, 31)
    assert facts.gender == "2"  # 17th digit 2: even, female


def test_full_width_and_lower_x_are_accepted():
    assert idnumber.parse(" １１０１０５１９４９１２３１００２x ").number == ID1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002", "身份证号码应为18位，您输入了17位。"),
        ("1101051949123100XX", "身份证号码前17位应为数字，最后一位为数字或X。"),
        ("990105194912310021", "身份证号码前两位“99”不是有效的省级行政区划代码。"),
        ("110105194913310021", "身份证号码第7–14位“19491331”不是有效的出生日期。"),
        ("110105230012310021", "身份证号码中的出生日期2300-12-31不合理。"),
        ("110105194912310021", "身份证号码校验位错误：最后一位应为X，请核对是否输错。"),
    ],
)
def test_each_fault_is_named(raw, message):
    with pytest.raises(ValidationError) as caught:
        idnumber.parse(raw)
    assert caught.value.messages == [message]


def test_mask():
    assert idnumber.mask(ID1) == "1101**********002X"


def test_nothing_of_the_number_is_stored_in_clear(world):
    row = Resident.objects.filter(pk=world.resident1.pk).values().get()
    stored = " ".join(str(v) for v in row.values())
    assert ID1 not in stored
    assert ID1[-4:] not in stored.replace(row["id_hash"], "").replace(row["id_tail_hash"], "")
    assert world.resident1.id_number == ID1  # decrypts


def test_search_by_full_number_and_by_last_four(world):
    assert list(Resident.objects.with_id_number(ID1.lower())) == [world.resident1]
    from residents.filters import resident_search_q

    assert list(Resident.objects.filter(resident_search_q("002x"))) == [world.resident1]


def test_rotation_keeps_numbers_readable(settings, world):
    from cryptography.fernet import Fernet

    new_key = Fernet.generate_key().decode()
    settings.ID_NUMBER_KEYS = [new_key, *settings.ID_NUMBER_KEYS]
    idnumber.reset_key_cache()
    try:
        old_token = world.resident1.id_cipher
        rotated = idnumber.rotate(old_token)
        assert rotated != old_token
        assert Fernet(new_key.encode()).decrypt(rotated.encode()).decode() == ID1
    finally:
        settings.ID_NUMBER_KEYS = settings.ID_NUMBER_KEYS[1:]
        idnumber.reset_key_cache()


def test_rotate_id_key_command_is_resumable(settings, world):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    new_key = Fernet.generate_key().decode()
    old_keys = list(settings.ID_NUMBER_KEYS)
    settings.ID_NUMBER_KEYS = [new_key, *old_keys]
    idnumber.reset_key_cache()
    try:
        out = StringIO()
        call_command("rotate_id_key", "--batch-size", "2", stdout=out)
        assert "Done: 3 re-encrypted, 0 already under the newest key." in out.getvalue()
        for resident in Resident.objects.all():
            assert idnumber.is_current(resident.id_cipher)
        out = StringIO()
        call_command("rotate_id_key", stdout=out)  # a second run has nothing left to do
        assert "Done: 0 re-encrypted, 3 already under the newest key." in out.getvalue()
        settings.ID_NUMBER_KEYS = [new_key]  # the old key can go now
        idnumber.reset_key_cache()
        assert Resident.objects.get(pk=world.resident1.pk).id_number == ID1
    finally:
        settings.ID_NUMBER_KEYS = old_keys
        idnumber.reset_key_cache()
