"""Resident ID numbers (居民身份证号码, GB 11643-1999): validate, derive, protect.

- 18 characters: 6-digit region code (GB/T 2260, current or historical: python-stdnum's list,
  docs/sources.md [D1]), 8-digit birth date, 3-digit sequence (odd = male),
  check character (ISO 7064 MOD 11-2, 0–9 or X).
- Stored encrypted (Fernet; keys from ``ID_NUMBER_KEYS``, newest first, so an old key still decrypts
  while ``manage.py rotate_id_key`` re-encrypts) plus keyed hashes (HMAC-SHA256 with
  ``ID_NUMBER_HASH_KEY``) of the whole number, for exact search and uniqueness, and of its last four
  characters, for "ends with" search. No part of the number is kept in clear: the birth date is kept
  (it is needed for ages), and with it the last four in clear would give the number away, since the
  region code of a village's residents is nearly always the same.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import numdb

from .codes import PROVINCE_CODES, Gender

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
OLDEST_BIRTH = datetime.date(1890, 1, 1)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@cache
def region_codes() -> frozenset[str]:
    """Every GB/T 2260 code an ID number may begin with: current and historical (a county renamed, merged or
    abolished keeps its people's numbers), from python-stdnum's ``cn/loc`` (docs/sources.md [D1]). Built on
    first use, once per process: ``numdb`` keeps the parsed file as a tree of prefixes (province, then the
    four digits below it), which is walked here into a set, so a check is one lookup."""
    codes = set()
    for length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for sub_length, sub_low, sub_high, _sub_props, _below in children:
                codes.update(
                    f"{province:0{length}d}{sub:0{sub_length}d}" for sub in range(int(sub_low), int(sub_high) + 1)
                )
    return frozenset(code for code in codes if len(code) == 6)


def normalize(raw: str) -> str:
    """Strip spaces and full-width characters people paste in; upper-case the X."""
    value = (raw or "").strip().replace(" ", "").replace("\u3000", "")
    value = value.translate({0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("X")})
    return value.upper()


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: datetime.date
    gender: str

    @property
    def last4(self) -> str:
        return self.number[-4:]


def parse(raw: str, *, today: datetime.date | None = None) -> IdFacts:
    """Validate an ID number and return what it says; ValidationError names what is wrong."""
    number = normalize(raw)
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位，您输入了%(n)d位。"), code="length", params={"n": len(number)})
    # ASCII digits only: str.isdigit() also takes ² and ١, which int() then refuses or reads as digits.
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="characters")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("身份证号码前两位“%(code)s”不是有效的省级行政区划代码。"), code="region", params={"code": number[:2]}
        )
    # Any code ever in use, whatever the birth year: numbers are given at registration, not at birth,
    # and keep their code when the county changes (stdnum.cn.ric's check by year would refuse them).
    if number[:6] not in region_codes():
        raise ValidationError(
            _("身份证号码前六位“%(code)s”不是有效的行政区划代码。"), code="region", params={"code": number[:6]}
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码第7–14位“%(d)s”不是有效的出生日期。"), code="birth", params={"d": number[6:14]}
        ) from None
    today = today or timezone.localdate()
    if not OLDEST_BIRTH <= birth <= today:
        raise ValidationError(_("身份证号码中的出生日期%(d)s不合理。"), code="birth", params={"d": birth.isoformat()})
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("身份证号码校验位错误：最后一位应为%(c)s，请核对是否输错。"), code="checksum", params={"c": expected}
        )
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return IdFacts(number=number, birth_date=birth, gender=gender)


def mask(number: str) -> str:
    """Masked for those who may reveal the number anyway (a village's staff): the first four and the last
    four (3201**********1234)."""
    if not number:
        return ""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_hard(number: str) -> str:
    """Masked for everyone else: the province only (32****************). With the last four and an age,
    the birth day and the county are all that is left to guess (residents/disclosure.py)."""
    if not number:
        return ""
    return f"{number[:2]}{'*' * (len(number) - 2)}"


# --- Protection at rest ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = settings.ID_NUMBER_KEYS
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("ID number cannot be decrypted with the configured ID_NUMBER_KEYS") from None


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet decrypts with any configured key)."""
    return _fernet().rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether a token is already encrypted with the newest key (rotation skips those: resumable)."""
    try:
        Fernet(settings.ID_NUMBER_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def lookup_hash(number: str) -> str:
    """Keyed hash for exact search and uniqueness; without the key a table of all IDs cannot be built."""
    return _hmac("full:" + normalize(number))


def tail_hash(digits: str) -> str:
    """Keyed hash of the last four characters, for "ends with 1234" search."""
    return _hmac("tail:" + normalize(digits)[-4:])


def _hmac(text: str) -> str:
    return hmac.new(settings.ID_NUMBER_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def looks_like_full_number(text: str) -> bool:
    value = normalize(text)
    return len(value) == 18 and value[:17].isdigit()


def reset_key_cache() -> None:
    _fernet.cache_clear()
