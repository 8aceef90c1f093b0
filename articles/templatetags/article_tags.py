import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles import fragments

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


class KeptNode(template.Node):
    def __init__(self, part, nodelist):
        self.part = part
        self.nodelist = nodelist

    def render(self, context):
        page = context.get("kept")
        if page is None:  # a page rendered without them: nothing kept
            return self.nodelist.render(context)
        html = page.fragment(self.part)
        if html is None:
            html = self.nodelist.render(context)
            page.keep(self.part, html)
        return html


@register.tag
def kept(parser, token):
    """{% kept "head" %}...{% endkept %}: a part of an article page every reader sees the same way,
    rendered once and then taken from the cache (articles.fragments.ArticlePage, the `kept` of
    the context, which keys it by everything the part shows)."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% kept %} takes the name of a part, in quotes")
    part = bits[1][1:-1]
    if part not in fragments.ArticlePage.PARTS:
        raise template.TemplateSyntaxError(f"{{% kept %}}: no part {part!r} in ArticlePage.PARTS")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(part, nodelist)


@register.simple_tag
def article_cards(articles, versions):
    """The cards of a list of articles (articles.fragments): rendered once, then from the cache;
    `versions`: card_versions(), read by the view before the articles."""
    return fragments.render_cards(articles, versions)


@register.simple_tag(takes_context=True)
def absolute_uri(context, url):
    """`url` on this request's host, or as it is when it is absolute already (uploads in an S3
    bucket or behind a CDN: DJANGO_MEDIA_S3_BUCKET)."""
    return context["request"].build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, canonical_url):
    """A schema.org NewsArticle naming the original it reprints (isBasedOn), as the text of a
    <script type="application/ld+json"> element: the template writes the element, with the
    response's nonce, around a cached fragment of this."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.lead,
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "datePublished": article.publish_at,
        "dateModified": article.updated_at,
        "keywords": [tag.name for tag in article.tags_by_name],
        "publisher": {
            "@type": "Organization",
            "name": gettext("Qingtan"),
            "url": request.build_absolute_uri("/"),
        },
        "sourceOrganization": {"@type": "Organization", "name": article.source.name},
    }
    if article.original_author:
        data["author"] = {"@type": "Organization", "name": article.original_author}
    if article.original_url:
        data["isBasedOn"] = article.original_url
    if article.cover_image:
        data["image"] = request.build_absolute_uri(article.cover_image.url)
    return mark_safe(json_ld(data))  # noqa: S308
