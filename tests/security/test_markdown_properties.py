"""Property tests of the Markdown-to-HTML pipeline (articles/text.py): whatever the input, the
output holds only the allowed tags, attributes and URL schemes, and nothing executable."""

from urllib.parse import urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.text import (
    ARTICLE_ATTRIBUTES,
    ARTICLE_TAGS,
    COMMENT_ATTRIBUTES,
    COMMENT_TAGS,
    URL_SCHEMES,
    render_article_markdown,
    render_comment_markdown,
)
from tests.security.hostile import PAYLOADS, active_features, parse

MARKDOWN = [
    "# ", "## ", "> ", "- ", "* ", "1. ", "```", "`", "**", "_", "~~", "---", "\n", "\n\n", "    ",
    "[", "]", "(", ")", "![", "<", ">", "|", "| --- |", "\\", "&", "&#", ";", "\"", "'", " ", "\t",
]  # fmt: skip
HTML = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=", "<svg onload=alert(1)>",
    "<iframe src=", "<style>", "<math>", "<b>", "</b>", "<!--", "-->", "<![CDATA[", "<p style=\"x\">",
    " onclick=", " onmouseover=", "<form action=", "<object data=", "<base href=", "<meta http-equiv=",
]  # fmt: skip
URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:", "jav&#x61;script:", "&#106;avascript:",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "data:image/svg+xml;base64,PHN2Zz4=",
    "https://example.com/", "http://example.com/a?b=c&d=e", "mailto:a@example.com", "//evil.example/",
    "/relative", "#fragment", "ftp://example.com/", "file:///etc/passwd", "livescript:x", " javascript:x",
    "\x01javascript:x", "www.example.com",
]  # fmt: skip

fragments = st.one_of(
    st.sampled_from(MARKDOWN),
    st.sampled_from(HTML),
    st.sampled_from(URLS),
    st.sampled_from(PAYLOADS),
    st.text(max_size=12),
)
markdown_text = st.lists(fragments, max_size=40).map("".join)
# Link and image syntax around hostile destinations, the shapes an attacker would try first.
link_text = st.builds(
    lambda bang, label, url, title: f"{bang}[{label}]({url}{title})",
    st.sampled_from(["", "!"]),
    st.text(max_size=8),
    st.one_of(st.sampled_from(URLS), st.text(max_size=20)),
    st.sampled_from(["", ' "t"', " 'x\" onmouseover=\"alert(1)'"]),
)
any_markdown = st.one_of(markdown_text, link_text, st.lists(link_text, max_size=5).map("\n\n".join))

URL_ATTRIBUTES = {"href", "src"}


def assert_only_allowed(html, tags, attributes):
    tree = parse(f"<body>{html}</body>")
    assert not active_features(tree), html
    for node in tree.body.traverse(include_text=False):
        if node.tag == "body":
            continue
        assert node.tag in tags, (node.tag, html)
        allowed = attributes.get(node.tag, set()) | {"rel"}
        for name, value in node.attributes.items():
            assert name in allowed, (node.tag, name, html)
            if name in URL_ATTRIBUTES:
                scheme = urlsplit(value or "").scheme.lower()
                assert scheme == "" or scheme in URL_SCHEMES, (value, html)


common = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(any_markdown)
@example("[x](javascript:alert(1))")
@example('<a href="javascript:alert(1)">x</a>')
@example("![x](data:text/html,<script>alert(1)</script>)")
def test_article_markdown_renders_only_allowed_html(text):
    assert_only_allowed(render_article_markdown(text), ARTICLE_TAGS, ARTICLE_ATTRIBUTES)


@common
@given(any_markdown)
@example("# heading\n\n![image](https://example.com/x.png)\n\n| a |\n| - |\n| b |")
def test_comment_markdown_renders_only_the_comment_subset(text):
    assert_only_allowed(render_comment_markdown(text), COMMENT_TAGS, COMMENT_ATTRIBUTES)


def test_every_payload_of_the_corpus_renders_only_allowed_html():
    for payload in PAYLOADS:
        assert_only_allowed(render_article_markdown(payload), ARTICLE_TAGS, ARTICLE_ATTRIBUTES)
        assert_only_allowed(render_comment_markdown(payload), COMMENT_TAGS, COMMENT_ATTRIBUTES)
