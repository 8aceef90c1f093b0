"""Journey 4: an editor reposts an article through the admin, previews the draft and publishes it;
readers then find it on the home page, in the RSS feed and in search."""

import re
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_server_errors"),
]

TITLE = "量子纠错的一小步"
QUESTIONS = [
    "Is a logical qubit that lasts longer a real milestone?",
    "Which error rate would convince you?",
    "Would you bet on superconducting or trapped-ion machines?",
]


def test_an_editor_creates_previews_and_publishes_an_article(new_context, url, sign_in, editor):
    SourceFactory(name="Quantum Ledger", homepage="https://ledger.example/")
    SourceFactory(name="Signal Weekly")
    ArticleFactory(title="An older story")  # the home page, feed and search are not empty before
    # A reader's browser, anonymous: the pages it fetches now are cached, and must not stay stale.
    reader = new_context(locale="en-US").new_page()
    reader.goto(url("articles:home"))
    expect(reader.locator(".article-card")).to_have_count(1)

    context = new_context(locale="en-US")
    sign_in(editor, context=context)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(url("admin:articles_article_add"))
    page.get_by_label("Title:", exact=True).fill(TITLE)
    page.get_by_label("Title:", exact=True).blur()
    # The admin's prepopulate script fills the slug from the title, keeping the Chinese.
    expect(page.get_by_label("Slug:", exact=True)).to_have_value(TITLE)
    page.get_by_label("Lead:").fill("Researchers kept a logical qubit alive longer than its parts.")
    page.get_by_label("Summary:").fill("An editorial summary: **below threshold** at last, says the team.")
    page.get_by_label("Body:", exact=True).fill(
        "The original text, reposted with permission.\n\nSecond paragraph."
    )
    page.get_by_label("Tags:").fill("量子计算, hardware")

    # Source: the autocomplete asks the server as the editor types.
    page.locator("#id_source + .select2").click()
    page.locator(".select2-search__field").fill("Quant")
    option = page.locator(".select2-results__option", has_text="Quantum Ledger")
    expect(option).to_have_count(1)
    expect(page.locator(".select2-results__option", has_text="Signal Weekly")).to_have_count(0)
    option.click()
    expect(page.locator("#id_source + .select2 .select2-selection__rendered")).to_have_text(
        re.compile("Quantum Ledger")
    )
    page.get_by_label("Original title:").fill("A small step for quantum error correction")
    page.get_by_label("Original URL:").fill("https://ledger.example/2026/qec-step")

    # Three questions, each row added with the inline's button.
    inline = page.locator("#questions-group")
    for number, text in enumerate(QUESTIONS):
        inline.get_by_role("button", name="Add another Question").click()
        inline.locator(f"#id_questions-{number}-position").fill(str(number + 1))
        inline.locator(f"#id_questions-{number}-text").fill(text)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT
    assert article.source.name == "Quantum Ledger"
    assert sorted(article.tags.names()) == ["hardware", "量子计算"]
    assert list(article.questions.values_list("text", flat=True)) == QUESTIONS
    assert article.editor == editor

    # A draft is not public; the editor previews it from its change page.
    assert reader.goto(url("articles:detail", article.slug)).status == 404
    page.goto(url("admin:articles_article_change", article.pk))
    page.get_by_role("link", name="View on site").click()
    preview = page
    expect(preview).to_have_url(url("articles:preview", article.slug))
    expect(preview.locator(".banner--preview")).to_contain_text("Draft")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.locator("#questions .question")).to_have_count(3)
    expect(preview.locator(".summary strong")).to_have_text("below threshold")

    # Publish it from the article list with the action.
    page.goto(url("admin:articles_article_changelist"))
    page.locator("tr", has_text=TITLE).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("publish_now")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("1 article published.")
    article.refresh_from_db()
    assert article.is_public

    # Readers see it everywhere: the home page (no stale cached copy), the feed, the search.
    reader.goto(url("articles:home"))
    expect(reader.locator(".article-card").first).to_contain_text(TITLE)
    expect(reader.locator(".article-card").first.locator(".tag")).to_have_text(["hardware", "量子计算"])
    feed = reader.request.get(url("articles:feed_rss"))
    assert feed.ok
    channel = ET.fromstring(feed.body())  # noqa: S314 - the live server's own output
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert titles[0] == TITLE
    reader.goto(url("articles:search"))
    reader.get_by_role("searchbox").fill("logical qubit")
    reader.get_by_role("searchbox").press("Enter")
    results = reader.locator("#search-results")
    expect(results).to_contain_text("1 article found")
    results.get_by_role("link", name=TITLE).click()
    expect(reader).to_have_url(url("articles:detail", article.slug))
    expect(reader.locator("#questions .question")).to_have_count(3)
    assert errors == []
