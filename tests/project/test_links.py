"""Whole-number URLs built from kept pieces (core/links.py) and the project's {% url %} (core/templatetags/links.py):
the same URLs as Django's reverse() and {% url %}."""

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse, set_script_prefix
from django.urls.converters import IntConverter
from django.utils import translation

from core import links
from core.templatetags import links as link_tags


def _names_with_numbers(resolver=None, namespace=""):
    """Every named URL whose arguments are all whole numbers, with their count."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names_with_numbers(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = getattr(pattern.pattern, "converters", {})
            if all(isinstance(c, IntConverter) for c in converters.values()):
                yield f"{namespace}{pattern.name}", len(converters)


NAMES = sorted(set(_names_with_numbers()))


def test_the_project_has_many_such_urls():
    assert len(NAMES) > 60 and any(n >= 2 for _name, n in NAMES)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_whole_number_url_is_what_reverse_gives(language):
    with translation.override(language):
        for name, n in NAMES:
            for numbers in ([0] * n, list(range(1, n + 1)), [42] * n, [10**9 + k for k in range(n)]):
                try:
                    expected = reverse(name, args=numbers)
                except NoReverseMatch:  # a pattern of the same name that wants other arguments
                    continue
                assert links.reverse_numbers(name, numbers) == expected, (name, numbers)


def test_urls_are_the_same_in_every_language():
    """The kept pieces do not depend on the language (core/links.py)."""
    for name, n in NAMES:
        numbers = list(range(1, n + 1))
        with translation.override("zh-hans"):
            try:
                chinese = reverse(name, args=numbers)
            except NoReverseMatch:  # a pattern written as a regular expression (the admin's), not by converters
                continue
        with translation.override("en"):
            assert reverse(name, args=numbers) == chinese, name


def test_other_arguments_go_to_reverse_and_fail_as_it_does():
    assert links.reverse_numbers("visits:visit-new", [5], before=("household",)) == reverse(
        "visits:visit-new", args=["household", 5]
    )
    assert links.url_with_pk("visits:visit-new", 5, "key_place") == reverse("visits:visit-new", args=["key_place", 5])
    with pytest.raises(NoReverseMatch):
        links.reverse_numbers("disputes:case-detail", [-1])
    with pytest.raises(NoReverseMatch):
        links.reverse_numbers("disputes:case-detail", [1, 2])
    with pytest.raises(NoReverseMatch):
        links.reverse_numbers("no-such-name", [1])
    for call in (links.reverse_numbers, lambda name, args: reverse(name, args=args)):
        with pytest.raises(NoReverseMatch):  # True is an int to Python, "True" to the URL
            call("disputes:case-detail", [True])


def test_the_script_prefix_is_part_of_the_pieces():
    try:
        set_script_prefix("/portal/")
        assert (
            links.reverse_numbers("disputes:case-detail", [3])
            == "/portal/cases/3/"
            == reverse("disputes:case-detail", args=[3])
        )
    finally:
        set_script_prefix("/")
    assert links.reverse_numbers("disputes:case-detail", [3]) == "/cases/3/"


TEMPLATES = [
    "{% url 'disputes:case-detail' 12 %}",
    "{% url 'disputes:case-detail' pk %}",
    "{% url 'disputes:case-detail' pk=pk %}",
    "{% url 'visits:visit-new' 'household' pk %}",
    "{% url 'visits:queue' %}",
    "{% url 'disputes:case-detail' pk as link %}[{{ link }}]",
    "{% url 'no-such-name' pk as link %}[{{ link }}]",
    "{% url name pk %}",
]


@pytest.mark.parametrize("source", TEMPLATES)
def test_the_url_tag_writes_what_djangos_writes(source):
    ours = engines["django"].from_string(source)
    djangos = Engine(libraries={}).from_string(source)  # Django's builtins only
    context = {"pk": 77, "name": "disputes:case-detail"}
    assert ours.render(context) == djangos.render(Context(context))
    builtins = engines["django"].engine.template_builtins
    assert [library for library in builtins if "url" in library.tags][-1] is link_tags.register


def test_the_url_tag_fails_as_djangos_does():
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'no-such-name' 1 %}").render({})
