import django
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles import caching, fragments
from articles.models import Source
from articles.search.results import MAX_QUERY_LENGTH, clean_query, search_articles


class SourceSelect(forms.Select):
    """The sources as Django renders them, kept in the cache: some 40 options, each rendered
    through the form renderer's templates, were a quarter of the search page's rendering, and
    sources change rarely.

    Kept under the versions of the articles (every save of a source, article or tag changes
    them, so a new or renamed source shows at once), the language, the option selected and the
    attributes (the id, aria-invalid). The versions are read before the sources, so sources
    read before a change commits are never kept under the versions after it. A value selecting
    no option (a source since removed, a made-up slug) is rendered every time and never kept:
    the entries are bounded by the sources."""

    def render(self, name, value, attrs=None, renderer=None):
        renderer = renderer or get_default_renderer()
        template = renderer.get_template(self.template_name)
        versions = caching.versions([caching.ARTICLES])
        key = fragments.key(
            "source-select",
            fragments.scope(template, django.__version__, *versions),
            (name, self.format_value(value), sorted(self.build_attrs(self.attrs, attrs).items())),
        )
        html = cache.get_many_immutable([key]).get(key)
        if html is None:
            context = self.get_context(name, value, attrs)
            html = self._render(self.template_name, context, renderer)
            options = (option for _, group, _ in context["widget"]["optgroups"] for option in group)
            if any(option["selected"] for option in options):
                cache.set_many_immutable({key: str(html)}, caching.KEEP_SECONDS)
        return mark_safe(html)  # noqa: S308 - rendered by the form renderer's autoescaped templates


class SearchForm(forms.Form):
    """The reader's search: any text (cleaned, never rejected), an optional tag (its name or
    slug) and an optional source."""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        widget=forms.SearchInput(
            attrs={"maxlength": MAX_QUERY_LENGTH, "placeholder": _("Words or phrases, in Chinese or English")}
        ),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=200)
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any source"),
        widget=SourceSelect,
    )

    def __init__(self, data=None, **kwargs):
        # Cleaned before binding, so the box shows the query as searched (truncated, without
        # control characters) and no validator can reject it.
        # The query string as the reader sent it: what the results' tag links keep.
        self.params = data
        if data is not None:
            data = data.copy()
            data["q"] = clean_query(data.get("q", ""))
        super().__init__(data, **kwargs)

    def clean_tag(self):
        value = self.cleaned_data["tag"].strip()
        if not value:
            return None
        tag = Tag.objects.filter(Q(slug=value) | Q(name__iexact=value)).order_by("pk").first()
        if tag is None:
            raise forms.ValidationError(gettext("There is no tag “%(tag)s”.") % {"tag": value})
        return tag

    def results(self):
        """The SearchResults of a valid form with a query, else None."""
        if not self.is_valid() or not self.cleaned_data["q"]:
            return None
        tag, source = self.cleaned_data["tag"], self.cleaned_data["source"]
        return search_articles(
            self.cleaned_data["q"],
            tag=tag.slug if tag else None,
            source=source.slug if source else None,
            params=self.params,
        )
