"""What the search page shows of the links and the source filter, which it builds cheaply: the
tag links in Python from the page's query string, the article and source addresses from one
reverse() each, the source <select> kept in the cache."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from articles.search.results import filter_link, slug_url
from tests.articles.conftest import soup
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

URL = reverse("articles:search")


def make(title, **fields):
    fields.setdefault("lead", "")
    fields.setdefault("summary", "编辑摘要。")
    fields.setdefault("original_title", "")
    return ArticleFactory(title=title, body="正文。", **fields)


def tag_links(response):
    return {link.get_text(): link["href"] for link in soup(response).select(".search-hit .tags a")}


def source_options(response):
    return [
        (option["value"], option.get_text(), option.has_attr("selected"))
        for option in soup(response).select("select[name=source] option")
    ]


# Tag links ----------------------------------------------------------------------------------------


def test_tag_links_keep_the_query_and_the_source_and_go_back_to_the_first_page(client):
    source = SourceFactory(name="晨报")
    for n in range(21):
        make(f"开源芯片第{n}篇", source=source, tags=["开源", "RISC-V"])

    response = client.get(f"{URL}?q=开源+芯片&source={source.slug}&page=2")

    links = tag_links(response)
    assert set(links) == {"开源", "RISC-V"}
    for name, href in links.items():
        assert parse_qsl(urlsplit(href).query) == [
            ("q", "开源 芯片"),
            ("source", source.slug),
            ("tag", "risc-v" if name == "RISC-V" else "开源"),
        ]


def test_a_tag_link_replaces_the_tag_where_the_reader_had_it(client):
    make("开源数据库", tags=["数据库"])

    response = client.get(URL, {"x": "<a>", "tag": "", "q": "开源", "page": "1"})

    assert tag_links(response) == {
        "数据库": "?x=%3Ca%3E&tag=%E6%95%B0%E6%8D%AE%E5%BA%93&q=%E5%BC%80%E6%BA%90"
    }


query_strings = st.lists(
    st.tuples(
        st.sampled_from(["q", "tag", "page", "source", "x", "", "tag "]) | st.text(max_size=5),
        st.text(max_size=8),
    ),
    max_size=6,
)


@given(pairs=query_strings, slug=st.text(min_size=1, max_size=10))
def test_filter_link_writes_what_the_querystring_tag_writes(pairs, slug):
    params = QueryDict(mutable=True)
    for key, value in pairs:
        params.appendlist(key, value)
    request = RequestFactory().get("/search/", params)
    expected = Template("{% querystring tag=slug page=None %}").render(
        RequestContext(request, {"slug": slug}, autoescape=False)
    )

    assert filter_link(request.GET, "tag")(slug) == expected


# Article and source addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "source_name"), [("开源 芯片:第一篇", "深蓝 观察"), ("Open chips_2", "ACME-news")]
)
def test_hits_link_to_the_article_and_its_source(client, title, source_name):
    article = make(title, source=SourceFactory(name=source_name))

    hit = soup(client.get(URL, {"q": title.split()[0]})).select_one(".search-hit")

    assert hit.select_one("h2 a")["href"] == article.get_absolute_url()
    assert hit.select_one(".meta a")["href"] == article.source.get_absolute_url()


@given(slug=st.from_regex(r"[-\w]+", fullmatch=True))
def test_slug_url_writes_what_reverse_writes(slug):
    for view_name in ("articles:detail", "articles:source"):
        assert slug_url(view_name)(slug) == reverse(view_name, kwargs={"slug": slug})


# The source filter --------------------------------------------------------------------------------


def test_the_source_filter_shows_the_source_searched_selected(client):
    first, second = SourceFactory(name="晨报"), SourceFactory(name="晚报")

    options = source_options(client.get(URL, {"q": "开源"}))
    assert options[0] == ("", "Any source", True)
    assert sorted(options[1:]) == sorted([(first.slug, "晨报", False), (second.slug, "晚报", False)])
    for source in (first, second, first):
        options = source_options(client.get(URL, {"q": "开源", "source": source.slug}))
        assert [value for value, _, selected in options if selected] == [source.slug]
    assert [value for value, _, selected in source_options(client.get(URL, {"q": "开源"})) if selected] == [
        ""
    ]


def test_an_unknown_source_selects_nothing_and_is_an_error(client):
    SourceFactory(name="晨报")

    response = client.get(URL, {"q": "开源", "source": "no-such-source"})

    assert [value for value, _, selected in source_options(response) if selected] == []
    assert soup(response).select_one("select[name=source]")["aria-invalid"] == "true"
    assert soup(response).select(".errorlist")


def test_a_new_or_renamed_source_is_offered_at_once(client):
    source = SourceFactory(name="晨报")
    client.get(URL, {"q": "开源"})
    client.get(URL, {"q": "开源", "source": source.slug})

    added = SourceFactory(name="新来源")
    source.name = "晨报周刊"
    source.save()

    options = source_options(client.get(URL, {"q": "开源"}))
    assert options[0] == ("", "Any source", True)
    assert sorted(options[1:]) == sorted([(added.slug, "新来源", False), (source.slug, "晨报周刊", False)])
    options = source_options(client.get(URL, {"q": "开源", "source": added.slug}))
    assert [value for value, _, selected in options if selected] == [added.slug]


def test_the_source_filter_is_in_the_reader_s_language(client):
    SourceFactory(name="晨报")
    client.get(URL, {"q": "开源"}, headers={"accept-language": "en"})

    options = source_options(client.get(URL, {"q": "开源"}, headers={"accept-language": "zh-hans"}))

    assert options[0][1] == "所有来源"


def test_the_sources_are_not_read_again_for_every_search(client, django_assert_max_num_queries):
    source = SourceFactory(name="晨报")
    for n in range(5):
        make(f"开源芯片第{n}篇", source=source)
    client.get(URL, {"q": "开源", "source": source.slug})

    # count, ranked ids, articles with source and entry, tags, the source filter
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"q": "开源", "source": source.slug})
    assert len(soup(response).select(".search-hit")) == 5
    assert [value for value, _, selected in source_options(response) if selected] == [source.slug]
