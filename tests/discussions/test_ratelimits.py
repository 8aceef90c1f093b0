"""How often a reader may comment, vote and report: over the limit is a 429 with Retry-After (the
friendly page, or a notice in place for htmx), and the next window lets them in again."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from discussions.models import Comment, Flag, Vote
from discussions.ratelimits import Limit, parse_rate
from tests.discussions.conftest import HTMX, soup, url, with_rules
from tests.factories import CommentFactory
from tests.subprocess_env import run_django

pytestmark = pytest.mark.django_db

# Tomorrow (so the articles made by the fixtures are published), 20 seconds into a minute and
# 10 minutes into an hour.
START = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).replace(
    minute=10, second=20, microsecond=0
)
NEXT_HOUR = START.replace(minute=0, second=0) + datetime.timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _post(client, article, n):
    return client.post(url("post", article.pk), {"body": f"Comment number {n}"})


def test_a_reader_over_the_minute_limit_gets_a_429_with_the_seconds_to_wait(
    client, user, article, settings, clock
):
    with_rules(settings, COMMENT_RATE="2/m,3/h")
    client.force_login(user)
    assert [_post(client, article, n).status_code for n in (1, 2)] == [302, 302]
    refused = _post(client, article, 3)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"  # the minute window frees at hh:11:00
    page = soup(refused)
    assert page.select_one(".error-page__code").text == "429"
    assert "You are commenting faster than this site allows. Please wait 40 seconds." in page.text
    assert Comment.objects.count() == 2

    clock.shift(39)
    assert _post(client, article, 3).status_code == 429
    assert _post(client, article, 3)["Retry-After"] == "1"
    clock.shift(1)
    assert _post(client, article, 3).status_code == 302  # a new minute
    assert Comment.objects.count() == 3

    # The hour allows three: the fourth waits for the next hour.
    clock.shift(60)
    refused = _post(client, article, 4)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(48 * 60)  # hh:12:00 -> the full hour
    assert "Please wait 48 minutes." in soup(refused).text
    clock.move_to(NEXT_HOUR, tick=False)
    assert _post(client, article, 4).status_code == 302


def test_refused_attempts_do_not_count(client, user, article, settings, clock):
    with_rules(settings, COMMENT_RATE="1/m,2/h")
    client.force_login(user)
    _post(client, article, 1)
    for _ in range(5):
        assert _post(client, article, 2).status_code == 429
    clock.shift(60)
    assert _post(client, article, 2).status_code == 302


def test_limits_are_per_reader(client, user, other_user, article, settings, clock):
    with_rules(settings, COMMENT_RATE="1/m")
    client.force_login(user)
    assert _post(client, article, 1).status_code == 302
    assert _post(client, article, 2).status_code == 429
    client.force_login(other_user)
    assert _post(client, article, 3).status_code == 302


def test_the_htmx_variant_shows_the_message_in_place(client, user, article, settings, clock):
    with_rules(settings, COMMENT_RATE="1/m")
    client.force_login(user)
    client.post(url("post", article.pk), {"body": "First"}, headers=HTMX)
    response = client.post(url("post", article.pk), {"body": "Second"}, headers=HTMX)
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    assert response["HX-Retarget"] == "#comment-form-notice"
    assert "Please wait 40 seconds." in soup(response).select_one(".notice--error").text
    assert soup(response).find("html") is None


def test_votes_have_their_own_limit(client, user, article, settings, clock):
    with_rules(settings, VOTE_RATE="3/m", COMMENT_RATE="1/m")
    comments = CommentFactory.create_batch(4, article=article)
    client.force_login(user)
    statuses = [client.post(url("vote", comment.pk)).status_code for comment in comments]
    assert statuses == [302, 302, 302, 429]
    assert Vote.objects.count() == 3
    response = client.post(url("vote", comments[3].pk), headers=HTMX)
    assert response.status_code == 429 and response["HX-Retarget"] == f"#comment-{comments[3].pk}-notice"
    assert "voting faster" in soup(response).text
    assert _post(client, article, 1).status_code == 302  # commenting is counted apart
    clock.shift(40)
    assert client.post(url("vote", comments[3].pk)).status_code == 302


def test_reports_have_their_own_limit(client, user, article, settings, clock):
    with_rules(settings, FLAG_RATE="2/h")
    comments = CommentFactory.create_batch(3, article=article)
    client.force_login(user)
    statuses = [client.post(url("report", c.pk), {"reason": "spam"}).status_code for c in comments]
    assert statuses == [302, 302, 429]
    assert Flag.objects.count() == 2
    # Opening the form is not a report.
    assert client.get(url("report", comments[2].pk)).status_code == 200


def test_limits_can_be_raised_or_switched_off(client, user, article, settings, clock):
    with_rules(settings, COMMENT_RATE="off")
    client.force_login(user)
    assert {_post(client, article, n).status_code for n in range(8)} == {302}
    with_rules(settings, COMMENT_RATE="1000/m,100000/h")
    assert {_post(client, article, n).status_code for n in range(8, 12)} == {302}


def test_the_environment_sets_the_limits_for_load_tests():
    result = run_django(
        "print(settings.QINGTAN['COMMENT_RATE'], settings.QINGTAN['VOTE_RATE'])",
        env={"DJANGO_DEBUG": "true", "QINGTAN_COMMENT_RATE": "600/m,10000/h", "QINGTAN_VOTE_RATE": "off"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600/m,10000/h", "off"]


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("5/m,30/h", [Limit(5, 60), Limit(30, 3600)]),
        (" 100 / 10m ", [Limit(100, 600)]),
        ("1/d", [Limit(1, 86400)]),
        ("", []),
        ("off", []),
    ],
)
def test_rates_are_parsed(text, limits):
    assert parse_rate(text) == limits


def test_a_malformed_rate_stops_start_up(settings):
    with_rules(settings, VOTE_RATE="lots")
    with pytest.raises(SystemCheckError, match="QINGTAN VOTE_RATE: not a rate"):
        call_command("check")


def test_suspended_readers_over_the_limit_still_get_the_suspension_message(client, user, article, settings):
    """The limit counts attempts; a suspension is a 403 with the reason whatever the count."""
    from discussions.models import Suspension

    with_rules(settings, COMMENT_RATE="5/m")
    Suspension.objects.create(user=user, reason="Cooling off")
    client.force_login(user)
    response = _post(client, article, 1)
    assert response.status_code == 403
    assert "Cooling off" in soup(response).text


def test_the_limit_holds_across_server_processes_with_redis(user, settings):
    """Another process (a second server worker) counts in the same Redis: what it used up here
    is used up there."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: each process has its own local-memory cache")
    with_rules(settings, FLAG_RATE="3/d")
    code = (
        "from types import SimpleNamespace\n"
        "from discussions import ratelimits\n"
        f"reader = SimpleNamespace(pk={user.pk})\n"
        "for _ in range(3):\n"
        "    ratelimits.hit('flag', reader)\n"
        "print('used up')\n"
    )
    env = {"DJANGO_DEBUG": "true", "REDIS_URL": settings.REDIS_URL, "QINGTAN_FLAG_RATE": "3/d"}
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if prefix:
        env["DJANGO_CACHE_PREFIX"] = prefix
    result = run_django(code, env=env)
    assert result.stdout.strip() == "used up", result.stderr
    from discussions import ratelimits

    with pytest.raises(ratelimits.RateLimited):
        ratelimits.hit("flag", user)
