"""Chinese by default; English available through the language switch."""

from django.urls import reverse


def test_login_page_is_chinese_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "用户名" in page


def test_switching_to_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Username" in page and "用户名" not in page


def test_pages_follow_the_browser_language(client, world, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:village-overview", args=[world.village.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert "Village overview" in page.decode()


def test_english_catalog_is_complete_and_compiled():
    """Every source string has an English translation, and the compiled catalog matches the source."""
    import re
    import subprocess
    from pathlib import Path

    po = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
    empty = re.findall(r'^msgid "(.+)"\n(?:msgid_plural .*\n)?msgstr(?:\[0\])? ""$', text, re.M)
    assert empty == [], "untranslated: run `make messages` and translate"
    compiled = subprocess.run(["msgfmt", "-o", "-", str(po)], capture_output=True, check=True).stdout
    assert compiled == po.with_suffix(".mo").read_bytes(), "django.mo is stale: run `make messages`"
