"""The ID number's first six digits are a real GB/T 2260 region code, current or historical (docs/sources.md
[D1]: python-stdnum's list); the demo and the county generator hand out such numbers."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from stdnum import numdb
from stdnum.cn import ric

from residents import idnumber
from residents.models import Resident
from tests.residents.test_import_export import _rows, _upload, _workbook
from tests.residents.test_registry_rules import _resident_post

REGION_MESSAGE = "身份证号码前六位“%s”不是有效的行政区划代码。"


def _number(region: str, birth: str = "19800101", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + idnumber.check_character(first17)


def _county(code: str) -> str:
    """stdnum's name of a code, with its years (``[-2010]崇文区``), or "" for no such code."""
    return dict(numdb.get("cn/loc").info(code)[1:]).get(code[2:], {}).get("county", "")


def test_a_real_province_with_an_invented_county_is_refused():
    number = _number("329999")  # 32 is Jiangsu; 9999 is no county of it
    with pytest.raises(ValidationError) as caught:
        idnumber.parse(number)
    assert caught.value.messages == [REGION_MESSAGE % "329999"]
    assert caught.value.error_list[0].code == "region"


@pytest.mark.parametrize(
    ("region", "county"),
    [
        ("110103", "[-2010]崇文区"),  # merged into Dongcheng in 2010
        ("440524", "[1983-1993]潮阳县"),  # became a city in 1993
    ],
)
def test_an_abolished_county_is_accepted(region, county):
    assert _county(region) == county  # the code is historical only
    facts = idnumber.parse(_number(region, "19750615"))
    assert facts.birth_date == datetime.date(1975, 6, 15)


def test_a_code_younger_than_its_holder_is_accepted():
    """People born before a county got its code still hold numbers with it (numbers are given at
    registration, and 15-digit numbers were re-issued as 18): no check against the birth year."""
    number = _number("110112", "19600101")  # Tongzhou district, coded 110112 since 1997
    assert _county("110112").startswith("[1997-]")
    assert not ric.is_valid(number)  # stdnum's own ID check is stricter here, on purpose not ours
    assert idnumber.parse(number).number == number


def test_the_old_limits_on_the_birth_date_stay():
    for birth, shown in (("18891231", "1889-12-31"), ("29991231", "2999-12-31")):
        with pytest.raises(ValidationError) as caught:
            idnumber.parse(_number("110105", birth))
        assert caught.value.messages == [f"身份证号码中的出生日期{shown}不合理。"]


def test_the_region_list_is_stdnums_and_built_once():
    codes = idnumber.region_codes()
    assert isinstance(codes, frozenset) and idnumber.region_codes() is codes
    assert len(codes) > 6800  # current and historical codes of every province
    assert "329999" not in codes and _county("329999") == ""
    for code in sorted(codes)[::97]:
        assert _county(code), code  # every code of the set is one stdnum names
    # Fast enough for a 10,000-household import (about 30,000 numbers): well under a second each 10,000.
    numbers = [
        _number("320723", f"1980{m:02d}{d:02d}", f"{s:03d}") for m in (1, 2) for d in range(1, 29) for s in range(90)
    ]
    start = time.perf_counter()
    for number in numbers:
        idnumber.parse(number)
    assert time.perf_counter() - start < 2.0


def test_the_resident_page_names_an_invented_county(client, world, staff):
    client.force_login(staff)
    number = _number("329999", "19900307", "001")
    response = client.post(
        reverse("residents:resident-create", args=[world.village.pk]), _resident_post(id_number=number)
    )
    assert REGION_MESSAGE % "329999" in response.content.decode()
    assert not Resident.objects.filter(name="新居民").exists()


def test_an_import_names_an_invented_county(client, staff, world, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = _rows(3)
    rows[1]["id_number"] = _number("329999")
    job = _upload(client, world.village, _workbook(rows), capture=django_capture_on_commit_callbacks)
    assert job.summary["errors"] == [{"row": 3, "column": "身份证号码", "reason": REGION_MESSAGE % "329999"}]
    assert not Resident.objects.filter(name__startswith="导入").exists()
