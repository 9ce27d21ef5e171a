"""Property-based tests (hypothesis) of what people type and upload: ID numbers, phone numbers and the
Excel import. Whatever arrives, the answer is a value or a message naming what is wrong, never a crash."""

from __future__ import annotations

import datetime
import importlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from residents import excel, idnumber, imports
from residents.codes import ETHNIC_CHOICES, PROVINCE_CODES, Education, Gender, Marriage, Political, Relation
from residents.forms import ResidentForm
from residents.models import (
    Attention,
    CorrectionType,
    Household,
    KeyCategory,
    KeyPerson,
    LivingStatus,
    Registration,
    Resident,
    Treatment,
    mobile_validator,
)
from tests.conftest import ID1, ID2, ID3

# No example database: a failure found once is kept as an @example line instead.
FAST = settings(max_examples=200, deadline=None, database=None)
# Each example of these reads the database (the village's grids, residents): fewer of them.
WITH_DB = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

TODAY = datetime.date(2026, 6, 30)
ASCII_DIGITS = "0123456789"
REGIONS = sorted(idnumber.region_codes())

# --- ID numbers ---------------------------------------------------------------------------------------


@st.composite
def id_numbers(draw) -> tuple[str, datetime.date, int]:
    """A valid number: a GB/T 2260 region code (current or historical), a birth date up to ``TODAY``, a
    sequence number and its check character. Returns the number, the birth date and the sequence number."""
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=idnumber.OLDEST_BIRTH, max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + idnumber.check_character(first17), birth, sequence


@FAST
@given(id_numbers())
def test_a_valid_number_is_accepted_with_its_birth_date_and_gender(generated):
    number, birth, sequence = generated
    facts = idnumber.parse(number, today=TODAY)
    assert facts.number == number
    assert facts.birth_date == birth
    assert facts.gender == (Gender.MALE if sequence % 2 else Gender.FEMALE)
    assert idnumber.looks_like_full_number(number)


@FAST
@given(id_numbers(), st.sampled_from(sorted(PROVINCE_CODES)), st.text(ASCII_DIGITS, min_size=4, max_size=4))
def test_a_region_code_nobody_was_given_is_refused(generated, province, county):
    """Six digits under a real province that are no GB/T 2260 code: refused, the code named."""
    region = province + county
    assume(region not in idnumber.region_codes())
    first17 = region + generated[0][6:17]
    with pytest.raises(ValidationError) as caught:
        idnumber.parse(first17 + idnumber.check_character(first17), today=TODAY)
    assert caught.value.messages == [f"身份证号码前六位“{region}”不是有效的行政区划代码。"]


@FAST
@given(id_numbers(), st.integers(0, 17), st.sampled_from(ASCII_DIGITS + "X"))
def test_every_single_character_error_is_caught(generated, position, replacement):
    """GB 11643's check character (ISO 7064 MOD 11-2) catches every wrong digit, wherever it is."""
    number = generated[0]
    assume(number[position] != replacement)
    wrong = number[:position] + replacement + number[position + 1 :]
    if position < 17 and replacement != "X":
        assert idnumber.check_character(wrong[:17]) != number[17]
    with pytest.raises(ValidationError):
        idnumber.parse(wrong, today=TODAY)


@FAST
@given(id_numbers(), st.integers(0, 16))
def test_every_swap_of_two_neighbouring_characters_is_caught(generated, position):
    number = generated[0]
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    with pytest.raises(ValidationError):
        idnumber.parse(swapped, today=TODAY)


# Text people may paste: anything, and near misses of a valid number (other digits, spaces, a lower x).
def _near_misses(generated) -> st.SearchStrategy[str]:
    number = generated[0]
    return st.builds(
        lambda cut, noise, tail: number[:cut] + noise + number[cut:tail],
        st.integers(0, 18),
        st.text(st.characters(categories=["Nd", "Zs"]) | st.sampled_from("xX-"), max_size=2),
        st.integers(0, 18),
    )


ANY_TEXT = st.text() | id_numbers().flatmap(_near_misses)


@FAST
@given(ANY_TEXT)
@example("11010519491231²02X")  # a superscript two is a "digit" to str.isdigit, not to int()
@example("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")  # Arabic-Indic digits
@example("")
def test_any_text_is_a_number_or_a_named_fault(text):
    try:
        facts = idnumber.parse(text, today=TODAY)
    except ValidationError as error:
        assert error.messages and all(error.messages)
        return
    assert re.fullmatch(r"[0-9]{17}[0-9X]", facts.number)


@FAST
@given(ANY_TEXT)
def test_normalize_is_idempotent(text):
    once = idnumber.normalize(text)
    assert idnumber.normalize(once) == once


@FAST
@given(id_numbers())
def test_the_mask_shows_only_the_first_and_last_four(generated):
    number = generated[0]
    masked = idnumber.mask(number)
    assert len(masked) == 18
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert number[6:14] not in masked  # the birth date stays hidden


@FAST
@given(id_numbers().map(lambda g: g[0]) | st.text())
def test_encryption_round_trips(text):
    assert idnumber.decrypt(idnumber.encrypt(text)) == text


@FAST
@given(st.text())
def test_a_token_that_is_not_ours_is_refused_with_value_error(token):
    with pytest.raises(ValueError, match="cannot be decrypted"):
        idnumber.decrypt(token)


@pytest.mark.django_db
@WITH_DB
@given(text=ANY_TEXT)
@example(text="11010519491231²02X")  # was a server error
@example(text="1\x00")  # Django's own message comes first: no null characters in a text field
def test_the_resident_form_names_a_bad_id_number(world, text):
    data = {"name": "张三", "id_number": text, "ethnicity": "01", "political": "13", "registration": "registered"}
    form = ResidentForm(data=data, village=world.village)
    form.is_valid()
    try:
        idnumber.parse(text)
    except ValidationError as error:
        if 0 < len(text.strip()) <= 30 and "\x00" not in text:  # else the field's own message
            assert form.errors["id_number"] == error.messages
        else:
            assert form.errors["id_number"]
    else:
        assert "id_number" not in form.errors or len(text.strip()) > 30


# --- Phone numbers ------------------------------------------------------------------------------------

MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@FAST
@given(MOBILES)
def test_a_mainland_mobile_is_accepted(phone):
    mobile_validator(phone)


# Forms and the import strip what they read before validating: so is the text here.
@FAST
@given(
    (
        st.text() | MOBILES.flatmap(lambda p: st.sampled_from([p[:-1], p + "0", "2" + p[1:], p.replace("1", "l", 1)]))
    ).map(str.strip)
)
def test_anything_else_is_refused_with_a_message(text):
    try:
        mobile_validator(text)
    except ValidationError as error:
        assert error.messages == ["手机号应为以1开头的11位数字。"]
    else:
        assert re.fullmatch(r"1[0-9]{10}", text)


@pytest.mark.parametrize("phone", ["1３８００１３８０００", "1٣٨٠٠١٣٨٠٠٠", "13800138000\n"])
def test_a_mobile_in_other_digits_or_with_a_newline_is_refused(phone):
    with pytest.raises(ValidationError):
        mobile_validator(phone)


# --- The Excel import -------------------------------------------------------------------------------

STANDARD_TAGS = [
    name for _code, name in importlib.import_module("residents.migrations.0002_standard_tags").STANDARD_TAGS
]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
DATES = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2030, 12, 31))


def cjk(max_size: int) -> st.SearchStrategy[str]:
    return st.text(CJK, min_size=1, max_size=max_size)


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


def coded(choices) -> st.SearchStrategy[str]:
    """A code list cell as people fill it: the Chinese label or the code."""
    return st.sampled_from([str(label) for _value, label in choices] + [str(value) for value, _label in choices])


def date_cell() -> st.SearchStrategy:
    """A date as Excel keeps it, or typed as text in the forms the import reads."""
    return DATES.flatmap(lambda d: st.sampled_from([d, d.isoformat(), d.strftime("%Y/%m/%d"), d.strftime("%Y.%m.%d")]))


def _generated_ids(count: int) -> st.SearchStrategy[list[str]]:
    taken = {ID1, ID2, ID3}  # registered in the test world (ID3 in the other village)
    numbers = id_numbers().map(lambda g: g[0]).filter(lambda n: n not in taken)
    return st.lists(numbers, min_size=count, max_size=count, unique=True)


@st.composite
def person_cells(draw, relation) -> dict:
    registration = draw(st.sampled_from(list(Registration)))
    lives_here = draw(st.booleans())
    return {
        "姓名": draw(cjk(50)),
        "与户主关系": relation,
        "手机号": draw(optional(MOBILES)),
        "民族": draw(optional(coded(ETHNIC_CHOICES))),
        "政治面貌": draw(optional(coded(Political.choices))),
        "婚姻状况": draw(optional(coded(Marriage.choices))),
        "学历": draw(optional(coded(Education.choices))),
        "职业": draw(optional(cjk(50))),
        "服务处所": draw(optional(cjk(100))),
        "户籍地": draw(optional(cjk(200))),
        "现住地": draw(optional(cjk(200))),
        "人口类型": draw(st.sampled_from([str(registration.label), registration.value])),
        "流入原因": draw(optional(cjk(100))),
        # A migrant's registration date is required.
        "登记日期": draw(date_cell() if registration == Registration.MIGRANT else optional(date_cell())),
        "证件到期日期": draw(optional(date_cell())),
        "在本村居住": draw(st.sampled_from(["是", "1", True] if lives_here else ["否", "0", False])),
        # Someone living away says where.
        "外出去向": draw(optional(cjk(200)) if lives_here else cjk(200)),
        "外出时间": draw(optional(date_cell())),
    }


@st.composite
def household_rows(draw) -> list[dict]:
    """Valid rows: households of one to three people, the first of each the head; the household columns
    repeat on every member's row."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    ids = iter(draw(_generated_ids(sum(sizes))))
    numbers = draw(
        st.lists(st.text("0123456789", min_size=1, max_size=29), min_size=len(sizes), max_size=len(sizes), unique=True)
    )
    rows = []
    for size, number in zip(sizes, numbers, strict=True):
        household = {
            "户编号": "H" + number,  # the test world's households are 0001 and 0002
            "网格/微网格": draw(st.sampled_from(["第一网格/1a", "第二网格/2a", "1a", "2a"])),
            "村民小组": "第1组",
            "自然村": draw(st.sampled_from([None, "张庄"])),
            "门牌地址": draw(cjk(200)),
            "户联系电话": draw(optional(MOBILES)),
            "居住状态": draw(optional(coded(LivingStatus.choices))),
            "户标签": "、".join(draw(st.lists(st.sampled_from(STANDARD_TAGS), max_size=3, unique=True))),
        }
        for i in range(size):
            relation = (
                draw(st.sampled_from(["02", "户主"]))
                if i == 0
                else draw(coded(Relation.choices).filter(lambda r: r not in ("02", "户主")))
            )
            rows.append({**household, **draw(person_cells(relation)), "身份证号码": next(ids)})
    return rows


@st.composite
def key_person_rows(draw) -> list[dict]:
    """Valid listings of the village's two registered residents, with what each category requires."""
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        number, name = draw(st.sampled_from([(ID1, "张三"), (ID2, "李四")]))
        category = draw(st.sampled_from(list(KeyCategory)))
        listed_from = draw(DATES)
        row = {
            "身份证号码": number,
            "姓名": name,
            "类别": draw(st.sampled_from([str(category.label), category.value])),
            "关注程度": draw(optional(coded(Attention.choices))),
            "列管开始": listed_from,
            "列管结束": draw(optional(st.dates(min_value=listed_from, max_value=datetime.date(2035, 1, 1)))),
            "监护人": draw(optional(cjk(50))),
            "监护人电话": draw(optional(MOBILES)),
            "有肇祸史": draw(optional(st.sampled_from(["是", "否"]))),
            "治疗情况": draw(optional(coded(Treatment.choices))),
            "释放日期": draw(optional(DATES)),
            "衔接/安置情况": draw(optional(cjk(200))),
            "健康状况": draw(optional(cjk(100))),
            "困难及诉求": draw(optional(cjk(300))),
            "备注": draw(optional(cjk(500))),
        }
        if category == KeyCategory.MENTAL:  # a risk level and a guardian
            row.update({"危险性评估等级": draw(st.integers(0, 5)), "监护人": draw(cjk(50))})
        if category == KeyCategory.CORRECTIONS:
            start = draw(DATES)
            row.update(
                {
                    "矫正类别": draw(coded(CorrectionType.choices)),
                    "矫正开始日期": start,
                    "矫正结束日期": draw(optional(st.dates(min_value=start, max_value=datetime.date(2035, 1, 1)))),
                }
            )
        if category == KeyCategory.RELEASED:
            row["释放日期"] = draw(DATES)
        rows.append(row)
    return rows


def workbook(kind: str, rows: list[dict]) -> bytes:
    """A sheet as a person might save it: the template's headers, then the rows as typed."""
    title, columns = excel.SHEETS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = title
    headers = [c.header for c in columns]
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PLANNERS = {
    "households": (imports.plan_households, household_rows()),
    "key_persons": (imports.plan_key_persons, key_person_rows()),
}


@pytest.mark.django_db
@WITH_DB
@given(data=st.data())
@pytest.mark.parametrize("kind", sorted(PLANNERS))
def test_valid_rows_plan_without_errors(world, kind, data):
    planner, rows_strategy = PLANNERS[kind]
    rows = data.draw(rows_strategy)
    plan = planner(world.village, workbook(kind, rows))
    assert plan.file_error == ""
    assert [r.number for r in plan.rows] == list(range(2, len(rows) + 2))
    assert {r.number: r.errors for r in plan.error_rows} == {}


# openpyxl refuses control characters other than tab and newline (Excel cannot hold them).
# Text starting with "=" is written as a formula, which reads back empty: not a text cell.
SHEET_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\n\t"), max_size=30).filter(
    lambda t: not t.startswith("=")
)

# A bad value for each column: over-long text, a value of the wrong kind, a name the village does not have.
COLUMN_MODEL = {
    "households": {"户编号": Household._meta.get_field("number"), "门牌地址": Household._meta.get_field("address")}
}
NOT_A_DATE = st.sampled_from(["明天", "2026-02-30", "31/01/2026", "2026年1月"]) | cjk(5)
NOT_A_MOBILE = SHEET_TEXT.filter(lambda t: t.strip() and not re.fullmatch(r"1[0-9]{10}", t.strip()))
NOT_AN_ID = (SHEET_TEXT | id_numbers().flatmap(_near_misses)).filter(
    lambda t: t.strip() and not _parses(t)
) | st.integers(0, 10**17)
UNKNOWN_NAME = cjk(10).map(lambda t: "无此" + t)
# Columns that name something the village (or the registry) must have: a grid, a group, a tag, a person.
NAMED_COLUMNS = {
    ("households", "网格/微网格"),
    ("households", "村民小组"),
    ("households", "自然村"),
    ("households", "户标签"),
    ("key_persons", "姓名"),
}


def _parses(text: str) -> bool:
    try:
        idnumber.parse(text)
    except ValidationError:
        return False
    return True


def _bad_cell(kind: str, column: excel.Column) -> st.SearchStrategy:
    if column.read is excel._date_read:
        bad = NOT_A_DATE
    elif column.read is excel._bool_read:
        bad = st.sampled_from(["也许", "2", "对"])
    elif column.read is excel._int_read:
        bad = st.sampled_from(["三", "1.5", 6, -1, 10**6])
    elif column.read is excel._id_read:
        bad = NOT_AN_ID
    elif column.read is excel._phone_read:
        bad = NOT_A_MOBILE
    elif column.read is not excel._text or (kind, column.header) in NAMED_COLUMNS:  # a code list, a name
        bad = UNKNOWN_NAME
    else:
        model = KeyPerson if kind == "key_persons" else Resident
        field = COLUMN_MODEL.get(kind, {}).get(column.header) or model._meta.get_field(column.key)
        bad = st.integers(field.max_length + 1, field.max_length + 100).map(lambda n: "长" * n)
    return (st.none() | bad) if column.required else bad


@pytest.mark.django_db
@WITH_DB
@given(data=st.data())
@pytest.mark.parametrize("kind", sorted(PLANNERS))
def test_one_bad_cell_is_named_on_its_row(world, kind, data):
    planner, rows_strategy = PLANNERS[kind]
    rows = data.draw(rows_strategy)
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    column = data.draw(st.sampled_from(excel.SHEETS[kind][1]), label="column")
    rows[index][column.header] = data.draw(_bad_cell(kind, column), label="bad value")
    plan = planner(world.village, workbook(kind, rows))
    bad_row = plan.rows[index]
    assert bad_row.number == index + 2
    assert column.header in [header for header, _reason in bad_row.errors]
    assert (bad_row.number, column.header) in {(e["row"], e["column"]) for e in plan.summary()["errors"]}


# Anything a cell may hold: text of any length, numbers, dates, booleans, formulas, error values.
CELLS = st.one_of(
    st.none(),
    SHEET_TEXT,
    st.integers(1, 2000).map(lambda n: "长" * n),
    st.integers(-(10**20), 10**20),
    st.floats(),
    DATES,
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
    st.booleans(),
    st.sampled_from(["=1+1", "=A1", "=", "#N/A", "#DIV/0!", "是", "否", ID1, ID3, "11010519491231²02X", "第一网格/1a"]),
)


def _blank_as_read(value) -> bool:
    """What the reader sees as an empty cell: nothing, a formula (no value cached by openpyxl), or an
    infinite or undefined float (Excel keeps none)."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    return value in (None, "") or (isinstance(value, str) and value.startswith("=") and len(value) > 1)


@pytest.mark.django_db
@WITH_DB
@given(data=st.data())
@pytest.mark.parametrize("kind", sorted(PLANNERS))
def test_any_cells_give_a_plan_with_numbered_reasons(world, kind, data):
    planner, _valid = PLANNERS[kind]
    headers = {c.header for c in excel.SHEETS[kind][1]}
    rows = data.draw(st.lists(st.fixed_dictionaries(dict.fromkeys(sorted(headers), CELLS)), min_size=1, max_size=6))
    plan = planner(world.village, workbook(kind, rows))
    assert plan.file_error == ""
    assert [r.number for r in plan.rows] == [
        n for n, row in enumerate(rows, start=2) if not all(_blank_as_read(v) for v in row.values())
    ]
    for row in plan.rows:
        assert all(header in headers and reason for header, reason in row.errors), row.errors
        cell = rows[row.number - 2]["身份证号码"]
        if isinstance(cell, int | float) or (isinstance(cell, str) and not _blank_as_read(cell) and not _parses(cell)):
            assert "身份证号码" in [header for header, _reason in row.errors]
    summary = plan.summary()
    assert summary["rows"] == summary["valid"] + summary["error_rows"] == len(plan.rows)
    assert {e["row"] for e in summary["errors"]} == {r.number for r in plan.error_rows}


@FAST
@given(st.binary(max_size=2000) | st.sampled_from([b"", b"PK\x03\x04", workbook("households", [])[:500]]))
def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(data):
    with pytest.raises(excel.FileError) as caught:
        list(excel.read_rows(data, "households"))
    assert str(caught.value)


@FAST
@given(st.lists(SHEET_TEXT | st.none(), max_size=8))
def test_a_sheet_without_the_required_columns_is_refused(headers):
    assume(not {"姓名", "身份证号码"} <= {str(h).strip() for h in headers if h})
    book = Workbook()
    book.active.append(headers)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.FileError, match=r"缺少必填列|文件是空的"):
        list(excel.read_rows(out.getvalue(), "households"))
