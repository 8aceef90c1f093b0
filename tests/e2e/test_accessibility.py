"""axe-core on the pages that exist for everyone: zero serious or critical violations.

The home, article, search and moderation pages join this list as their journeys land.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("path", ["/no/such/page/", "/accounts/login/"])
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_page_has_no_serious_accessibility_violation(
    new_context, live_server, assert_accessible, path, color_scheme
):
    page = new_context(color_scheme=color_scheme).new_page()
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_the_accessibility_check_catches_a_violation(page, live_server):
    # The checker itself: an image link without any text is a serious violation (link-name).
    from tests.e2e.axe import violations

    page.goto(live_server.url + "/no/such/page/")
    page.locator("main").evaluate(
        "main => main.insertAdjacentHTML('beforeend', '<a href=/x><img src=/y></a>')"
    )
    found = {v["id"]: v["impact"] for v in violations(page)}
    assert found.get("link-name") == "serious"
