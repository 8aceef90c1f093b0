"""What every page's frame (templates/base.html and its includes) links to: addresses that take no
argument and static files, and the parts of the frame that are the same for every reader, worked
out once per process instead of on every page.

{% url %} and {% static %} cost 50-90 µs each (reversing, the static manifest's lookup), and the
frame has a dozen of them. What they give never changes while the URL configuration, the script
prefix, the language and the static storage stay the same, so each is remembered under those: a
test that overrides a setting gets a new resolver or storage, and with it a new memo."""

from django import template
from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# Settings only change in tests (override_settings), where a changed LOCALE_PATHS or the like would
# change what a frame shows: every change starts every frame afresh.
_settings_changes = 0


@receiver(setting_changed)
def _count_setting_change(**kwargs):
    global _settings_changes
    _settings_changes += 1


class FrameNode(template.Node):
    """The rendered output of its contents, remembered on the node (so a template compiled again
    starts afresh) under the URL resolver, the script prefix, the language, the languages on offer
    and whether the context escapes: all they may depend on. With `anonymous`, only readers who
    are not signed in share it (the contents may show what a signed-in reader gets instead);
    others get it rendered."""

    def __init__(self, nodelist, *, anonymous):
        self.nodelist = nodelist
        self.anonymous = anonymous
        self._memo = (None, {})

    def render(self, context):
        if self.anonymous:
            user = context.get("user")
            if user is None or user.is_authenticated:
                return self.nodelist.render(context)
        owner = (get_resolver(get_urlconf()), _settings_changes)
        kept_for, memo = self._memo
        if kept_for != owner:
            kept_for, memo = self._memo = (owner, {})
        key = (
            get_script_prefix(),
            get_language(),
            tuple(code for code, _ in settings.LANGUAGES),
            context.autoescape,
        )
        html = memo.get(key)
        if html is None:
            html = memo[key] = self.nodelist.render(context)
        return html


@register.tag
def frame(parser, token):
    """{% frame %}...{% endframe %}: a part of the page frame that shows nothing of the request, the
    page or the reader, only translated text, {% site_url %} addresses and the languages
    (FrameNode): rendered once per process and language. {% frame anonymous %}: the same for readers
    who are not signed in; the part may then also show what differs for signed-in readers (their
    links), and is rendered as usual for them."""
    bits = token.split_contents()
    if bits[1:] not in ([], ["anonymous"]):
        raise template.TemplateSyntaxError("{% frame %} takes nothing or 'anonymous'")
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(nodelist, anonymous=bits[1:] == ["anonymous"])
