"""The discussion shown under an article, loaded in a fixed number of queries.

When the top-level comments fit on one page (most discussions), every comment the reader may
see is one query, which also gives the questions their answer counts and picks. Otherwise a
page of top-level comments is one query and all their replies (to COMMENT_MAX_DEPTH) one more.
The reader's votes, reports and follows are one query each; the tree is built in Python. The
count does not grow with the number of comments (only the rows read do, up to a page).

Comments are read as rows into ThreadComment objects, not model instances. The thread's state,
the questions with their answer counts and picks, and the comment count are remembered until the
article's discussion changes (its page version), as the thread's counts are.
"""

import functools
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext

from articles import caching
from discussions import fragments, moderation
from discussions.forms import CommentForm, ReasonForm
from discussions.importing import IMPORT_USERNAME
from discussions.models import THREAD_PAGE_COLUMNS, Comment, Flag, Follow, Question, Thread, Vote

SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "top": ("-score", "created_at", "pk"),
}
DEFAULT_SORT = "oldest"
# The same orders in Python (key, reversed), for a discussion read whole.
_SORT_KEYS = {
    "oldest": (lambda comment: (comment.created_at, comment.pk), False),
    "newest": (lambda comment: (comment.created_at, comment.pk), True),
    "top": (lambda comment: (-comment.score, comment.created_at, comment.pk), False),
}


class ThreadComment:
    """A comment of a thread page, made from its row (CommentQuerySet.for_thread_page()): the
    values its fragment shows (fragments.VALUES) and the moderation policy decides with, and
    what load_thread() sets on it. A thread page reads up to a page of comments with their
    replies; model instances for each comment and author cost more than the rest of the page."""

    __slots__ = ("__dict__",)

    def __init__(self, row):
        values = dict(zip(_COLUMN_NAMES, row, strict=True))
        display_name = values.pop("author_display_name")
        if values["author_id"] is None:
            values["author_username"] = values["author_name"] = ""
        else:
            values["author_name"] = display_name or values["author_username"]  # User.public_name
        self.__dict__ = values

    def __repr__(self):
        return f"<ThreadComment {self.pk}>"

    @property
    def is_visible(self):
        return self.status == Comment.Status.PUBLISHED

    @property
    def is_pending(self):
        return self.status == Comment.Status.PENDING

    @property
    def is_moderated(self):
        return self.status in Comment.MODERATED


_COLUMN_NAMES = tuple(THREAD_PAGE_COLUMNS)


def _thread_comments(rows):
    return [ThreadComment(row) for row in rows]


@functools.cache
def _rows():
    """Comment.objects.for_thread_page(), made once: resolving its columns and the author's join
    costs as much again as the rest of building the query. Never evaluated itself, only cloned
    (filter() and the like), so sharing it between requests and threads is safe."""
    return Comment.objects.for_thread_page()


@dataclass(frozen=True, slots=True)
class Pick:
    """A question's editor's pick as the questions section shows it (published, not deleted)."""

    pk: int
    body_html: str
    author_id: int | None
    author_username: str
    author_name: str

    @property
    def author_imported(self):
        return self.author_username == IMPORT_USERNAME

    @property
    def author_url(self):
        return fragments.author_url(self.author_username)


def questions_for(article, *, user=None):
    """The article's questions, numbered from 1, with `answer_count` and `pick` (the editor's
    pick when readers may see it, a Pick); shared by the questions section and the thread of
    the same page. Given the reader, and their discussion fits on one page, counts and picks
    come from its comments (whole_discussion()); otherwise one query counts them. Remembered
    until the article's discussion changes (discussion_state())."""
    cached = getattr(article, "_discussion_questions", None)
    if cached is None:
        _, rows, _ = discussion_state(article, user=user)
        db = Question.objects.db
        cached = []
        for number, (pk, text, position, is_closed, pinned_id, answer_count, pick) in enumerate(
            rows, start=1
        ):
            # In the order of Question's concrete fields: from_db() calls Question(*values).
            question = Question.from_db(
                db, _QUESTION_FIELDS, (pk, article.pk, text, position, is_closed, pinned_id)
            )
            question.number = number
            question.answer_count = answer_count
            question.pick = Pick(*pick) if pick is not None else None
            cached.append(question)
        article._discussion_questions = cached
    return cached


_QUESTION_FIELDS = ("id", "article_id", "text", "position", "is_closed", "pinned_answer_id")


def thread_state(article, *, user=None):
    """The article's Thread (unsaved and open when staff never touched it), with the page's
    fields only (is_closed, is_locked: the others are read from the database when asked for)."""
    cached = getattr(article, "_discussion_thread_state", None)
    if cached is None:
        row, _, _ = discussion_state(article, user=user)
        if row is None:
            cached = Thread(article=article)
        else:
            cached = Thread.from_db(
                Thread.objects.db, ("article_id", "is_closed", "is_locked"), (article.pk, *row)
            )
            Thread.article.field.set_cached_value(cached, article)
        article._discussion_thread_state = cached
    return cached


def discussion_state(article, *, user=None):
    """(thread's is_closed and is_locked or None, questions as rows, comment count), the same for
    every reader: remembered under the article's page version, which every change to what they
    hold bumps (discussions/caching.py: comments, votes, questions, the thread, authors' names).
    Read with the reader's discussion when it fits on a page (whole_discussion())."""
    cached = getattr(article, "_discussion_state", None)
    if cached is None:
        cached = article._discussion_state = caching.count_of(
            f"discussion-state:{article.pk}",
            None,
            depends_on=_versions(article),
            compute=lambda: _read_state(article, user),
        )
    return cached


def _read_state(article, user):
    thread = Thread.objects.filter(article=article).values_list("is_closed", "is_locked").first()
    comments = whole_discussion(article, user=user) if user is not None else None
    if comments is None:
        questions = [
            (
                q.pk,
                q.text,
                q.position,
                q.is_closed,
                q.pinned_answer_id,
                q.answer_count,
                _pick_values(q.visible_pick),
            )
            for q in Question.objects.for_article_page(article)
        ]
        comment_count = Comment.objects.counted().filter(article=article).count()
        return thread, questions, comment_count
    # What QuestionQuerySet.with_answer_count(), Question.visible_pick and CommentQuerySet.counted()
    # give, from every comment the reader sees (the published ones are those everybody sees).
    counted = {c.pk: c for c in comments if c.status == Comment.Status.PUBLISHED and not c.is_deleted}
    answers = Counter(comment.question_id for comment in counted.values() if not comment.depth)
    questions = [
        (pk, text, position, is_closed, pinned_id, answers[pk], _pick_values(counted.get(pinned_id)))
        for pk, text, position, is_closed, pinned_id in Question.objects.filter(article=article)
        .order_by("position", "pk")
        .values_list("pk", "text", "position", "is_closed", "pinned_answer_id")
    ]
    return thread, questions, len(counted)


def _pick_values(pick):
    """The values of a Pick, from a visible pick: a Comment with its author or a ThreadComment."""
    if pick is None:
        return None
    if isinstance(pick, ThreadComment):
        return (pick.pk, pick.body_html, pick.author_id, pick.author_username, pick.author_name)
    author = pick.author
    if author is None:
        return (pick.pk, pick.body_html, None, "", "")
    return (pick.pk, pick.body_html, author.pk, author.username, author.public_name)


def whole_discussion(article, *, user):
    """Every comment of the article that `user` may see (ThreadComments), in one query, when its
    top-level comments fit on one page; None when they do not (the thread is then read a page
    at a time). Read once per page, for the questions section and the thread."""
    user = user if user is not None else AnonymousUser()
    reader = user.pk if user.is_authenticated else 0
    cached = getattr(article, "_discussion_whole", None)
    if cached is None or cached[0] != reader:

        def visible():
            # Built only when read: building a queryset costs more than the remembered count.
            return _rows().visible_to(user).filter(article=article)

        top_level = caching.count_of(
            _roots_count_key(article, reader, None),
            None,
            depends_on=_versions(article),
            # Counted without the rows' join to the authors.
            compute=lambda: Comment.objects.visible_to(user).filter(article=article).top_level().count(),
        )
        comments = None
        if top_level <= settings.QINGTAN["COMMENTS_PER_PAGE"]:
            comments = _thread_comments(visible().order_by())
        cached = article._discussion_whole = (reader, comments)
    return cached[1]


def _roots_count_key(article, reader, question):
    # Counts are remembered until the article's discussion changes (its page version), as the
    # counts of lists are; they depend on the reader only through their own unpublished comments.
    return f"thread-roots:{article.pk}:{reader}:{question.pk if question else ''}"


def _versions(article):
    # ARTICLES as well as the article's own version: an article saved with another slug and
    # later given its old one back would otherwise find what was kept under that slug before.
    return [caching.ARTICLES, caching.article_key(article.slug)]


def _int_or_none(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class ThreadParams:
    """What a reader chose through the query string; anything unknown falls back to the default."""

    sort: str = DEFAULT_SORT
    page: str = "1"
    question_id: int | None = None
    answer_id: int | None = None

    @classmethod
    def from_query(cls, query):
        sort = query.get("sort")
        return cls(
            sort=sort if sort in SORTS else DEFAULT_SORT,
            page=(query.get("page") or "1")[:10],
            question_id=_int_or_none(query.get("question")),
            answer_id=_int_or_none(query.get("answer")),
        )

    def url(self, article, *, anchor="discussion", **changes):
        """The article URL showing these choices, with `changes` applied; defaults are left out."""
        values = {
            "sort": self.sort,
            "question": self.question_id,
            "answer": self.answer_id,
            "page": self.page,
            **changes,
        }
        query = {
            key: value
            for key, value in values.items()
            if value not in (None, "")
            and not (key == "sort" and value == DEFAULT_SORT)
            and not (key == "page" and str(value) == "1")
        }
        url = _address_of(article)
        if query:
            url += "?" + urlencode(query)
        return f"{url}#{anchor}" if anchor else url


def _address_of(article):
    # A page links to its own article a dozen times (sorts, questions, pages, the form).
    address = getattr(article, "_discussion_address", None)
    if address is None:
        address = article._discussion_address = article.get_absolute_url()
    return address


@dataclass
class ThreadPage:
    article: object
    thread: object
    params: ThreadParams
    questions: list
    question: object  # the question the thread is filtered by, or None
    page_obj: object
    comments: list  # top-level comments of the page, each with `children`
    comment_count: int
    can_comment: moderation.Decision
    closed_reason: str
    following_article: bool = False
    can_curate: bool = False
    can_lock: bool = False
    can_close: bool = False
    closed_by_age: bool = False
    sort_links: list = field(default_factory=list)

    @property
    def open_questions(self):
        return [question for question in self.questions if not question.is_closed]

    def page_url(self, number):
        return self.params.url(self.article, page=number, answer=None)

    @property
    def previous_url(self):
        return self.page_url(self.page_obj.previous_page_number()) if self.page_obj.has_previous() else None

    @property
    def next_url(self):
        return self.page_url(self.page_obj.next_page_number()) if self.page_obj.has_next() else None

    @property
    def all_comments_url(self):
        return self.params.url(self.article, question=None, page=None, answer=None)


def load_thread(article, *, user, params):
    thread = thread_state(article, user=user)
    questions = questions_for(article, user=user)
    questions_by_id = {question.pk: question for question in questions}
    question = questions_by_id.get(params.question_id)
    per_page = settings.QINGTAN["COMMENTS_PER_PAGE"]

    everything = whole_discussion(article, user=user)
    if everything is not None:
        # Put in order here as the database would.
        roots = [c for c in everything if not c.depth and (question is None or c.question_id == question.pk)]
        key, newest_first = _SORT_KEYS[params.sort]
        roots.sort(key=key, reverse=newest_first)
        if question is not None and question.pinned_answer_id:
            roots.sort(key=lambda comment: comment.pk != question.pinned_answer_id)  # the pick first
        page_obj = Paginator(roots, per_page).get_page(params.page)
        roots = list(page_obj.object_list)
        # A reply under a comment the reader cannot see is left out by _nest().
        replies = [comment for comment in everything if comment.depth]
    else:
        visible = _rows().visible_to(user).filter(article=article)
        top_level = visible.top_level()
        ordering = SORTS[params.sort]
        if question is not None:
            top_level = top_level.filter(question=question)
            if question.pinned_answer_id:
                # The editor's pick comes first under its question.
                pick_first = Case(
                    When(pk=question.pinned_answer_id, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
                top_level = top_level.alias(pick_first=pick_first)  # not a column of the rows
                ordering = ("pick_first", *ordering)
        paginator = caching.CachedCountPaginator(
            top_level.order_by(*ordering),
            per_page,
            key=_roots_count_key(article, user.pk if user.is_authenticated else 0, question),
            depends_on=_versions(article),
        )
        page_obj = paginator.get_page(params.page)
        roots = _thread_comments(page_obj.object_list)
        replies = []
        if roots:
            # By their roots alone (_nest() puts them in order): with the article as well, SQLite
            # reads every comment of the article through the thread index instead.
            in_threads = _rows().visible_to(user).filter(root__in=[root.pk for root in roots])
            replies = _thread_comments(in_threads.order_by())
    comments = _nest(roots, replies)

    following_article = False
    if user.is_authenticated:
        following_article = _annotate_reader_state(user, article, comments)

    pick_ids = {q.pinned_answer_id for q in questions if q.pick is not None}
    curate = user.is_authenticated and bool(moderation.can_curate(user))
    moderate = user.is_authenticated and bool(moderation.can_moderate(user))
    numbers = {question.pk: question.number for question in questions}
    for comment in comments:
        comment.article = article
        comment.is_pick = comment.pk in pick_ids
        if user.is_authenticated:
            _set_permissions(
                comment,
                user=user,
                thread=thread,
                questions_by_id=questions_by_id,
                curate=curate,
                moderate=moderate,
            )
        else:
            # What _set_permissions() gives a reader who is not signed in: no action at all.
            comment.__dict__.update(_NO_ACTIONS)
            comment.question_number = numbers.get(comment.question_id)

    page = ThreadPage(
        article=article,
        thread=thread,
        params=params,
        questions=questions,
        question=question,
        page_obj=page_obj,
        comments=roots,
        comment_count=discussion_state(article, user=user)[2],
        can_comment=moderation.can_comment(user, article, thread=thread),
        closed_reason=moderation.closed_reason(article, thread=thread),
        following_article=following_article,
        can_curate=curate,
        can_lock=user.is_authenticated and bool(moderation.can_lock(user)),
        can_close=user.is_authenticated and bool(moderation.can_close(user)),
        closed_by_age=moderation.is_closed_by_age(article),
    )
    page.sort_links = [
        (key, label, params.url(article, sort=key, page=None, answer=None), key == params.sort)
        for key, label in sort_labels()
    ]
    return page


_NO_ACTIONS = {
    "is_own": False,
    "can_reply": False,
    "can_edit": False,
    "can_delete": False,
    "can_vote": False,
    "can_report": False,
    "can_curate": False,
    "can_pin": False,
    "can_follow": False,
    "can_moderate": False,
    "move_choices": (),
}


def _set_permissions(comment, *, user, thread, questions_by_id, curate, moderate=False):
    """What the reader may do with `comment`, from the same policy that guards the views."""
    signed_in = user.is_authenticated
    comment.question_number = getattr(questions_by_id.get(comment.question_id), "number", None)
    comment.is_own = signed_in and comment.author_id == user.pk
    comment.can_reply = signed_in and bool(moderation.can_reply(user, comment, thread=thread))
    comment.can_edit = comment.is_own and bool(moderation.can_edit(user, comment, thread=thread))
    comment.can_delete = comment.is_own and bool(moderation.can_delete(user, comment))
    comment.can_vote = signed_in and bool(moderation.can_vote(user, comment, thread=thread))
    comment.can_report = signed_in and not comment.reported and bool(moderation.can_report(user, comment))
    comment.can_curate = curate and comment.parent_id is None
    comment.can_pin = (
        comment.can_curate
        and comment.question_id is not None
        and comment.is_visible
        and not comment.is_deleted
    )
    comment.can_follow = signed_in and comment.parent_id is None
    comment.can_moderate = moderate
    comment.move_choices = (
        tuple((question.pk, question.number, question.text) for question in questions_by_id.values())
        if comment.can_curate
        else ()
    )


def prepare_comment(comment, *, user):
    """One comment with everything its fragment shows, for the views that re-render it alone."""
    article = comment.article
    questions = questions_for(article)
    questions_by_id = {question.pk: question for question in questions}
    if not hasattr(comment, "children"):
        comment.children = []
    comment.voted = comment.reported = comment.followed = False
    if user.is_authenticated:
        _annotate_reader_state(user, article, [comment])
    fragments.set_author_values(comment)
    _set_permissions(
        comment,
        user=user,
        thread=moderation.thread_of(article),
        questions_by_id=questions_by_id,
        curate=user.is_authenticated and bool(moderation.can_curate(user)),
        moderate=user.is_authenticated and bool(moderation.can_moderate(user)),
    )
    pick = questions_by_id.get(comment.question_id)
    comment.is_pick = pick is not None and pick.pinned_answer_id == comment.pk and comment.is_visible
    fragments.set_derived_values(comment)
    return comment


def discussion_section_context(request, article, params):
    user = request.user
    discussion = load_thread(article, user=user, params=params)
    form = None
    if discussion.can_comment:
        open_ids = {question.pk for question in discussion.open_questions}
        initial = {"question": params.answer_id} if params.answer_id in open_ids else {}
        form = CommentForm(questions=discussion.open_questions, initial=initial)
    login_url = (
        reverse(settings.LOGIN_URL) + "?" + urlencode({"next": params.url(article, anchor="comment-form")})
    )
    return {
        "article": article,
        "discussion": discussion,
        "form": form,
        "login_url": login_url,
        "reason_form": ReasonForm() if discussion.can_lock or discussion.can_close else None,
        "user": user,
        "request": request,
    }


def questions_section_context(request, article):
    user = getattr(request, "user", None)
    questions = questions_for(article, user=user)
    params = ThreadParams()
    for question in questions:
        question.answers_url = params.url(article, question=question.pk)
        question.answer_url = params.url(article, answer=question.pk, anchor="comment-form")
    return {
        "article": article,
        "questions": questions,
        "can_curate": bool(user and user.is_authenticated and moderation.can_curate(user)),
        "user": user,
        "request": request,
    }


def sort_labels():
    return [("oldest", gettext("Oldest")), ("newest", gettext("Newest")), ("top", gettext("Top"))]


def _nest(roots, replies):
    """Attach each reply to its parent's `children` (oldest first) and return every comment of
    the tree. A reply whose parent is not visible goes with it."""
    by_id = {}
    for root in roots:
        root.children = []
        by_id[root.pk] = root
    for reply in sorted(replies, key=lambda c: (c.depth, c.created_at, c.pk)):
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            reply.children = []
            parent.children.append(reply)
            by_id[reply.pk] = reply
    for comment in by_id.values():
        comment.voted = comment.reported = comment.followed = False
    return list(by_id.values())


@functools.cache
def _reader_rows():
    # Made once and cloned, as _rows() is.
    return tuple(model.objects.values_list("comment_id", flat=True) for model in (Vote, Flag, Follow))


def _annotate_reader_state(user, article, comments):
    """Set `voted`, `reported` and `followed` on the comments; return whether the reader
    follows the article. Three queries, whatever the number of comments: the reader's rows on
    this article, which stay few, rather than a list of every comment id."""
    votes, flags, follows = _reader_rows()
    voted = set(votes.filter(user=user, comment__article=article))
    reported = set(flags.filter(user=user, comment__article=article))
    follows = set(follows.filter(user=user, article=article))
    for comment in comments:
        comment.voted = comment.pk in voted
        comment.reported = comment.pk in reported
        comment.followed = comment.pk in follows
    return None in follows


def comment_location(comment, *, user):
    """The article URL that shows `comment`: the page of its thread (default sort) and its anchor."""
    root = comment
    while root.parent_id is not None:
        root = root.parent
    before = (
        Comment.objects.visible_to(user)
        .filter(article=comment.article_id)
        .top_level()
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    page = before // settings.QINGTAN["COMMENTS_PER_PAGE"] + 1
    return ThreadParams().url(comment.article, page=page, anchor=f"comment-{comment.pk}")
