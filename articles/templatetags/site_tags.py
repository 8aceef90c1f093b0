"""What every page's frame (templates/base.html and its includes) links to: addresses that take no
argument and static files, worked out once per process instead of on every page.

{% url %} and {% static %} cost 50-90 µs each (reversing, the static manifest's lookup), and the
frame has a dozen of them. What they give never changes while the URL configuration, the script
prefix, the language and the static storage stay the same, so each is remembered under those: a
test that overrides a setting gets a new resolver or storage, and with it a new memo."""

from django import template
from django.core.files.storage import storages
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

# (the resolver or storage the memo is for, {what: answer}): replaced with a new one when that changes.
_urls = (None, {})
_statics = (None, {})


@register.simple_tag
def site_url(name):
    """{% url name %} of a URL name that takes no argument; "" if there is none (as {% url name as
    var %} gives), for the frame's links to optional parts."""
    global _urls
    resolver = get_resolver(get_urlconf())
    owner, memo = _urls
    if owner is not resolver:
        owner, memo = _urls = (resolver, {})
    key = (get_script_prefix(), get_language(), name)
    url = memo.get(key)
    if url is None:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = ""
        memo[key] = url
    return url


@register.simple_tag
def site_static(path):
    """{% static path %}."""
    global _statics
    storage = storages["staticfiles"]
    owner, memo = _statics
    if owner is not storage:
        owner, memo = _statics = (storage, {})
    url = memo.get(path)
    if url is None:
        url = memo[path] = static(path)
    return url
