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
    page = client.get(reverse("grids:village-detail", args=[world.village.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert "Village overview" in page.decode()
