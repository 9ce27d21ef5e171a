"""``{% url %}`` as Django's, its whole-number URLs built from pieces kept per name (core/links.py).

A builtin of the project's templates (governance/settings.py, ``TEMPLATES["OPTIONS"]["builtins"]``): loaded after
Django's own tags, it takes the name ``url`` over from them, so every template gets it without a ``{% load %}``.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

from core.links import reverse_numbers, where

register = template.Library()


class NumbersURLNode(URLNode):
    def render(self, context):
        # Django's URLNode.render, with reverse() for URLs without keyword arguments through reverse_numbers().
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if kwargs:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            else:
                url = reverse_numbers(view_name, args, current_app=current_app, at=_where(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


def _where(context) -> tuple | None:
    """The page's script prefix and URL configuration, read once per request (both are set before the view)."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    at = getattr(request, "_links_where", None)
    if at is None:
        at = request._links_where = where()
    return at


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return NumbersURLNode(node.view_name, node.args, node.kwargs, node.asvar)
