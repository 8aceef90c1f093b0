from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Source
from articles.search.results import MAX_QUERY_LENGTH, clean_query, search_articles


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
    )

    def __init__(self, data=None, **kwargs):
        # Cleaned before binding, so the box shows the query as searched (truncated, without
        # control characters) and no validator can reject it.
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
            self.cleaned_data["q"], tag=tag.slug if tag else None, source=source.slug if source else None
        )
