"""A living discussion for the demo site: readers answering the questions of the demo articles, a
reply thread, votes, an editor's pick, and some work for the moderators (a held comment, a
reported one, a hidden one with its log entry). Never run against production data.

All of it is fictional and written for this project. `seed_discussions()` is idempotent: a
comment is found again by its article, author and text, and the moderation steps run only for
comments it has just created.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import ngettext

from articles.models import Article
from discussions import moderation
from discussions.models import Comment, Flag, ModerationAction, Question, Vote

# username, display name, joined so many days ago: readers who exist only to talk in the demo
# (no usable password). The newcomer and the advertiser are new, as the queue then shows.
DEMO_READERS = [
    ("old_hand", "老运维", 700),
    ("lin_w", "林间观察", 420),
    ("kaz", "Kaz M.", 380),
    ("newcomer", "新来的读者", 1),
    ("deal_hunter", "优惠达人", 2),
    ("hot_take", "路过的", 90),
]

SILICON = "https://silicon-weekly.example/2025/04/liquid-cooling-retrofit"

# original URL of the demo article -> [(author, question number, text, replies)]; each reply is
# (author, text) and answers the comment before it in the list.
ANSWERS = {
    SILICON: [
        (
            "old_hand",
            1,
            "在老机房干了八年运维，说句实话：楼板承重和层高往往比管路更难改。我们去年评估过一次，"
            "最后只改了两排机柜做试点，其余等租约到期再迁。",
            [
                (
                    "reader2",
                    "Same here: the floor loading limit ruled out the heavier racks before anyone "
                    "talked about plumbing.",
                ),
                ("old_hand", "对，而且改造期间业务不能停，这部分成本报告里一般不算。"),
                ("lin_w", "想问下试点那两排机柜改完之后，PUE 大概降了多少？"),
            ],
        ),
        (
            "reader",
            2,
            "液冷本身不一定更耗水：闭式循环配干冷器几乎不蒸发水，真正耗水的是蒸发式冷却塔。"
            "选址时应该先看用的是哪种散热方式。",
            [],
        ),
    ],
    "https://compute-chronicle.example/reviews/riscv-laptop-week": [
        (
            "lin_w",
            1,
            "会买一台当第二台机器，但不会当主力。支持开放指令集的方式很多，给上游提交补丁可能比买硬件更有用。",
            [],
        ),
        (
            "reader2",
            2,
            "Software, clearly. Performance improves every generation, but every missing package is a "
            "reason for a developer to give up on the first day.",
            [],
        ),
    ],
    "https://digital-outpost.example/research/assistants-and-juniors": [
        (
            "reader",
            1,
            "我们组的规定是：新人前三个月提交的代码要能在评审时逐行解释，解释不了就重写。助手可以用，但责任在自己。",
            [("kaz", "We do the same. It turned code review into the best teaching hour of the week.")],
        ),
        (
            "old_hand",
            2,
            "最有效的练习是修别人的 bug。找一个老项目里标注为新手友好的问题，从复现开始，不看提示，"
            "一般一周就能体会到读代码的门道。",
            [],
        ),
    ],
    "https://digital-outpost.example/mobility/robotaxi-night-shift": [
        (
            "lin_w",
            1,
            "深夜打车最怕的其实是人，这一点无人车反而让人放心。但车内出了状况没有人能立刻帮忙，这是我的顾虑。",
            [],
        ),
        (
            "reader2",
            3,
            "Pausing in heavy rain is what a careful human driver would do too. I would rather the service "
            "admit its limits than pretend.",
            [],
        ),
    ],
    "https://oss-watch.example/interviews/maintainer-fatigue": [
        (
            "kaz",
            1,
            "Our company sponsors two projects now, but only after one of them nearly stopped releasing. "
            "The budget appears after the scare, never before.",
            [],
        ),
        (
            "reader",
            3,
            "第二维护者需要的是权限和信任，不只是时间。让贡献者逐步拿到发布权限，比一次性捐款更能分担压力。",
            [],
        ),
    ],
    "https://silicon-weekly.example/2025/08/satellite-messaging-test": [
        (
            "old_hand",
            1,
            "经常跑山区巡检，卫星短信救过同事一次。几十个字足够说清位置和伤情，对我们来说值这个价。",
            [],
        ),
        (
            "lin_w",
            2,
            "户外爱好者应该带，但不能只靠手机：手机电量往往最先耗尽，专用的求救信标更可靠。",
            [],
        ),
    ],
    "https://oss-watch.example/features/senior-mode-week": [
        (
            "reader",
            1,
            "我妈每次都卡在短信验证码：验证码来了，她切出去看短信，回来页面已经超时了。",
            [("old_hand", "验证码页面至少应该给五分钟，而且切回来不能清空已经填好的内容。")],
        ),
        (
            "reader2",
            2,
            "A staffed phone line or a counter visit should always be an option. Not every face works "
            "with the camera of a cheap phone.",
            [],
        ),
    ],
    "https://compiler-review.example/features/memory-safe-drivers-two-years": [
        (
            "kaz",
            1,
            "Only with a second reviewer who knows the language and a clear owner. Unreviewable code is "
            "unreviewable, whatever it is written in.",
            [],
        ),
        (
            "reader2",
            2,
            "Crash reports are a start, but I would want to know how many of the old crashes were memory "
            "bugs in the first place.",
            [],
        ),
    ],
    "https://northbound-systems.example/essays/return-of-the-monolith": [
        (
            "kaz",
            1,
            "When teams that do not talk every day need separate release schedules. Headcount alone tells "
            "you little.",
            [],
        ),
        (
            "lin_w",
            2,
            "我们把三个服务合并回一个，最大的收获是调试时终于能在一个调用栈里看到完整的请求。",
            [],
        ),
    ],
    "https://packet-protocol.example/longreads/cable-repair-fleet": [
        (
            "reader2",
            1,
            "Repair capacity is what markets underprovide: it sits idle most of the year. Shared public "
            "funding makes sense.",
            [],
        ),
        ("reader", 3, "完全不知道。以前一直以为跨洋流量主要走卫星。", []),
    ],
    "https://packet-protocol.example/security/passkeys-one-year": [
        (
            "reader2",
            1,
            "I use them on my phone every day. They failed me on a borrowed laptop at a conference, and I "
            "fell back to a password I barely remembered.",
            [],
        ),
        (
            "kaz",
            2,
            "Recovery should be slow on purpose: a waiting period plus a notice to every old contact "
            "method. Fast recovery is what attackers use.",
            [],
        ),
    ],
    "https://northbound-systems.example/analysis/where-the-watts-go": [
        (
            "lin_w",
            1,
            "A number per query would be mostly theatre. A monthly summary, like a phone bill, would "
            "actually change habits.",
            [],
        ),
        (
            "reader",
            2,
            "日常问题我愿意用小一点的模型；写代码或者问健康问题时，准确比省电重要。",
            [],
        ),
    ],
}

# Work for the moderators.
HELD = (
    "newcomer",
    SILICON,
    3,
    "第一次留言：我们机房用的是冷板式液冷，最担心的是快接头渗漏，巡检时要专门看接头下方有没有水渍。",
)
REPORTED = (
    "deal_hunter",
    "https://digital-outpost.example/research/assistants-and-juniors",
    "想提高写代码效率的，可以私信我领取助手会员优惠码，名额有限。",
    [("reader", Flag.Reason.SPAM, "广告"), ("reader2", Flag.Reason.SPAM, "")],
)
HIDDEN = (
    "hot_take",
    "https://northbound-systems.example/essays/return-of-the-monolith",
    "Anyone still running microservices at a ten-person company deserves every outage they get.",
    "Attacks other readers' teams instead of discussing the article. Rephrase it and post again.",
)
# (voter, author of the voted comment, its text starts with)
VOTES = [
    ("reader", "old_hand", "在老机房"),
    ("reader2", "old_hand", "在老机房"),
    ("lin_w", "old_hand", "在老机房"),
    ("kaz", "reader", "液冷本身"),
    ("old_hand", "reader", "我们组的规定"),
    ("reader2", "reader", "我们组的规定"),
    ("reader", "kaz", "Recovery should"),
    ("lin_w", "kaz", "Recovery should"),
    ("kaz", "reader2", "Software, clearly"),
    ("reader", "lin_w", "A number per query"),
]
PICK = (SILICON, "reader", "液冷本身")


def _readers():
    User = get_user_model()
    users = {user.username: user for user in User.objects.filter(username__in=["reader", "reader2"])}
    for username, display_name, days in DEMO_READERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "email": f"{username}@example.com",
                "date_joined": timezone.now() - datetime.timedelta(days=days),
            },
        )
        if created:
            user.set_unusable_password()
            user.notify_on_reply = user.notify_on_follow = False
            user.save(update_fields=["password", "notify_on_reply", "notify_on_follow"])
        users[username] = user
    return users


def _when(article, step):
    """Comments arrive over the hours after publication, never in the future."""
    start = article.publish_at or timezone.now()
    return min(start + datetime.timedelta(hours=2, minutes=37 * step), timezone.now())


class _Seeder:
    def __init__(self):
        self.users = _readers()
        self.created = 0
        self.step = 0

    def comment(
        self, article, author, body, *, question=None, parent=None, status=Comment.Status.PUBLISHED, ago=None
    ):
        """The comment, created unless it exists; returns (comment, created). `ago`: posted that
        long before now rather than in the hours after the article's publication."""
        existing = Comment.objects.filter(article=article, author=author, body=body).first()
        if existing is not None:
            return existing, False
        self.step += 1
        comment = Comment(
            article=article,
            author=author,
            body=body,
            question=question,
            parent=parent,
            status=status,
            created_at=timezone.now() - ago if ago else _when(article, self.step),
        )
        comment.full_clean()
        comment.save()
        self.created += 1
        return comment, True


@transaction.atomic
def seed_discussions(*, moderator, editor):
    """Create the demo discussion; returns the number of comments it created."""
    seeder = _Seeder()
    users = seeder.users
    articles = {
        article.original_url: article
        for article in Article.objects.filter(original_url__in=[*ANSWERS, HELD[1], REPORTED[1], HIDDEN[1]])
    }
    questions = {}
    for question in Question.objects.filter(article__in=articles.values()).order_by("position", "pk"):
        questions.setdefault(question.article_id, []).append(question)

    for url, answers in ANSWERS.items():
        article = articles.get(url)
        if article is None:
            continue
        numbered = questions.get(article.pk, [])
        for author, number, body, replies in answers:
            question = numbered[number - 1] if number <= len(numbered) else None
            parent, _ = seeder.comment(article, users[author], body, question=question)
            for reply_author, reply_body in replies:
                parent, _ = seeder.comment(article, users[reply_author], reply_body, parent=parent)

    author, url, number, body = HELD
    if article := articles.get(url):
        numbered = questions.get(article.pk, [])
        held, created = seeder.comment(
            article,
            users[author],
            body,
            question=numbered[number - 1] if number <= len(numbered) else None,
            status=Comment.Status.PENDING,
            ago=datetime.timedelta(minutes=40),
        )
        if created:
            moderation.record(
                ModerationAction.Kind.HOLD,
                by=None,
                comment=held,
                # The words the rule itself writes (moderation.initial_status_for), in the site's language.
                reason=ngettext(
                    "The first published comment of a new account",
                    "One of the first %(count)d published comments of a new account",
                    1,
                )
                % {"count": 1},
                new_status=Comment.Status.PENDING,
            )

    author, url, body, flags = REPORTED
    if article := articles.get(url):
        reported, _ = seeder.comment(article, users[author], body, ago=datetime.timedelta(hours=3))
        for reporter, reason, text in flags:
            Flag.objects.get_or_create(
                user=users[reporter], comment=reported, defaults={"reason": reason, "text": text}
            )

    author, url, body, reason = HIDDEN
    if (article := articles.get(url)) and moderator is not None:
        hidden, created = seeder.comment(article, users[author], body, ago=datetime.timedelta(days=1))
        if created:
            moderation.hide_comment(hidden, by=moderator, reason=reason)

    voted = set()
    for voter, author, start in VOTES:
        comment = Comment.objects.filter(author=users[author], body__startswith=start).first()
        if comment is not None:
            Vote.objects.get_or_create(user=users[voter], comment=comment)
            voted.add(comment.pk)
    for comment in Comment.objects.filter(pk__in=voted).annotate(vote_count=Count("votes")):
        if comment.score != comment.vote_count:
            Comment.objects.filter(pk=comment.pk).update(score=comment.vote_count)

    url, author, start = PICK
    pick = Comment.objects.filter(
        article__original_url=url, author=users[author], body__startswith=start
    ).first()
    unpicked = (
        pick is not None
        and not Question.objects.filter(pk=pick.question_id, pinned_answer__isnull=False).exists()
    )
    if unpicked and editor is not None and pick.question_id:
        moderation.pin_answer(pick, by=editor)
    return seeder.created
