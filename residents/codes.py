"""National code lists the registry keeps (GB/T 31000-2015 person items refer to them).

Values are the codes of each standard, so data exchanged with county and national systems lines up;
labels are Chinese and translatable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    """GB/T 2261.1-2003 个人基本信息分类与代码 第1部分：人的性别代码."""

    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSTATED = "9", _("未说明的性别")


class Marriage(models.TextChoices):
    """GB/T 2261.2-2003 婚姻状况代码."""

    UNMARRIED = "10", _("未婚")
    MARRIED = "20", _("已婚")
    FIRST_MARRIAGE = "21", _("初婚")
    REMARRIED = "22", _("再婚")
    REMARRIED_SAME = "23", _("复婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNSTATED = "90", _("未说明的婚姻状况")


class Political(models.TextChoices):
    """GB/T 4762-1984 政治面貌代码."""

    CPC_MEMBER = "01", _("中共党员")
    CPC_PROBATIONARY = "02", _("中共预备党员")
    CYL_MEMBER = "03", _("共青团员")
    RCCK = "04", _("民革党员")
    CDL = "05", _("民盟盟员")
    CNDCA = "06", _("民建会员")
    CAPD = "07", _("民进会员")
    CPWDP = "08", _("农工党党员")
    CZGP = "09", _("致公党党员")
    JS = "10", _("九三学社社员")
    TDSGL = "11", _("台盟盟员")
    NON_PARTY = "12", _("无党派人士")
    MASSES = "13", _("群众")


class Education(models.TextChoices):
    """GB/T 4658-2006 学历代码 (first-level codes, as villages record them)."""

    POSTGRADUATE = "10", _("研究生")
    UNIVERSITY = "20", _("大学本科")
    COLLEGE = "30", _("大学专科")
    SECONDARY_VOCATIONAL = "40", _("中等职业教育")
    HIGH_SCHOOL = "60", _("普通高级中学")
    JUNIOR_HIGH = "70", _("初级中学")
    PRIMARY = "80", _("小学")
    OTHER = "90", _("其他（含文盲、半文盲）")


class Relation(models.TextChoices):
    """GB/T 4761-2008 家庭关系代码 (the codes a household register uses)."""

    HEAD = "02", _("户主")
    SPOUSE = "10", _("配偶")
    SON = "20", _("子")
    DAUGHTER = "30", pgettext_lazy("relation to the head of household", "女")
    GRANDCHILD = "40", _("孙子女或外孙子女")
    PARENT = "50", _("父母")
    GRANDPARENT = "60", _("祖父母或外祖父母")
    SIBLING = "70", _("兄弟姐妹")
    SON_IN_LAW = "28", _("女婿")
    DAUGHTER_IN_LAW = "38", _("儿媳")
    OTHER_RELATIVE = "97", _("其他亲属")
    NON_RELATIVE = "99", _("非亲属")


# GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码 (numeric codes 01–56; 97, 98 for the rest).
_ETHNIC_NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
ETHNIC_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(_ETHNIC_NAMES, start=1)] + [
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]
HAN = "01"

# GB/T 2260 province-level codes: the first two digits of a resident ID number (GB 11643) name one of them.
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}  # fmt: skip
