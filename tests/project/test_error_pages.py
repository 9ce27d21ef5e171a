"""The 403, 404 and 500 pages: in Chinese, in the layout of the person who hit them, with a way back; the
500 page renders with nothing but the template (no request context, no database). And the favicon."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False  # Django shows its own technical pages while DEBUG is on


@pytest.mark.parametrize(("who", "body"), [("worker", "field"), ("staff", "staff"), ("town", "staff")])
def test_a_missing_page_is_a_chinese_404_in_ones_own_layout(client, world, request, who, body):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/no-such-page/", HTTP_REFERER="http://testserver/field/")
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    page = response.content.decode()
    assert f'<body class="{body}">' in page
    assert "页面不存在" in page
    assert (
        '<a href="/field/" class="back secondary outline" role="button" data-back>返回上一页</a>' in page
    )  # the page they came from
    assert f'href="{reverse("home")}"' in page and "回到首页" in page


def test_a_way_back_never_leads_off_site(client, world, worker):
    client.force_login(worker)
    page = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/x").content.decode()
    assert "evil.example" not in page and "回到首页" in page


def test_anonymous_get_the_404_at_a_desk_layout_without_a_menu(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "mainnav" not in page


@pytest.mark.parametrize(("who", "body"), [("worker", "field"), ("staff", "staff")])
def test_a_refusal_is_a_chinese_403_in_ones_own_layout_with_the_reason(client, world, request, who, body):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("disputes:town-desk"))
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    page = response.content.decode()
    assert f'<body class="{body}">' in page
    assert "没有权限" in page and "回到首页" in page
    assert "此页面供镇综治办使用。" in page  # the door's own words say why


def test_the_500_page_needs_no_database_and_no_request_context():
    """No ``db`` fixture: pytest-django refuses any query, so the page must make none."""
    from django.views.defaults import server_error

    from governance import urls

    assert getattr(urls, "handler500", "django.views.defaults.server_error") in (
        "django.views.defaults.server_error",
        server_error,
    )
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and "回到首页" in page and "返回上一页" in page
    assert 'rel="icon"' in page


def test_the_favicon_is_answered_and_linked(client, world, staff):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith(".ico")
    client.force_login(staff)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
