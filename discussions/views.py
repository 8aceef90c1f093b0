"""Discussion views: thin wrappers over `participation` (readers) and `moderation` (staff).

Each action answers an htmx request with the fragment it changed and a plain form POST with a
redirect to the comment's place on the article page, so everything works without JavaScript.
A refused action is a 403 (or 400 for a request that makes no sense) with the reason; htmx
requests get the reason as a notice next to the control (HX-Retarget, see static/js/site.js).
"""

from functools import cache, wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from articles.models import Article
from discussions import moderation, notifications, participation, ratelimits, threads
from discussions.forms import CommentForm, MoveForm, ReasonForm, ReportForm
from discussions.models import Comment, Follow, Question
from discussions.ratelimits import RateLimited

# Helpers ----------------------------------------------------------------------------------------


def _safe_url(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def _back_url(request):
    """Where the reader was: the page htmx was called from, the referring page, or this one."""
    if request.method == "GET" and not request.htmx:
        return request.get_full_path()
    candidates = [request.htmx.current_url if request.htmx else None, request.META.get("HTTP_REFERER")]
    for candidate in candidates:
        url = _safe_url(request, candidate)
        if url:
            return url
    return "/"


def signed_in(view):
    """login_required that also sends htmx requests to the sign-in page (as a full page load)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        login_url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': _back_url(request)})}"
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)

    return wrapper


def _refusal(request, error, *, notice):
    """Answer a refused action. `notice`: the CSS selector of the notice area htmx fills.
    Over a rate limit: 429 with Retry-After (the full page is config.views.too_many_requests)."""
    message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    status = 429 if isinstance(error, RateLimited) else 403 if isinstance(error, PermissionDenied) else 400
    if request.htmx:
        response = render(
            request, "discussions/_notice.html", {"message": message, "level": "error"}, status=status
        )
        response["HX-Retarget"] = notice
        response["HX-Reswap"] = "innerHTML"
        if status == 429:
            response["Retry-After"] = str(error.retry_after)
        return response
    if status == 429:
        raise error
    if status == 403:
        raise PermissionDenied(message)
    return render(request, "discussions/refused.html", {"message": message}, status=status)


def _comment_or_404(request, pk):
    """A comment the reader can see, on an article the public can read."""
    comment = (
        Comment.objects.visible_to(request.user)
        .filter(pk=pk, article__in=Article.objects.readable())
        .select_related("article", "author", "question", "parent")
        .first()
    )
    if comment is None:
        raise Http404(gettext("That comment does not exist."))
    return comment


def _article_or_404(pk):
    return get_object_or_404(Article.objects.readable(), pk=pk)


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _comment_notice(comment):
    return f"#comment-{comment.pk}-notice"


def _field_ids(kind, comment):
    """`auto_id` of a form opened in place under `comment`: its fields need ids of their own, or
    their labels would point at the same fields of the article's comment form (or of another
    open form)."""
    return f"id_{kind}-{comment.pk}-%s"


def _prepared(comment, user):
    """`comment` with what its fragment shows (see threads.load_thread), for one comment."""
    comment.children = []
    return threads.prepare_comment(comment, user=user)


def _render_comment_main(request, comment, **extra):
    context = {"comment": _prepared(comment, request.user), **extra}
    return render(request, "discussions/_comment.html#comment-main", context)


def _form_page(request, *, article, heading, partial, status=200, **context):
    """The full page of a form, for readers without JavaScript and for validation errors."""
    context.update(
        article=article,
        heading=heading,
        partial=partial,
        standalone=True,
        article_url=threads.ThreadParams().url(article),
    )
    return render(request, "discussions/comment_form.html", context, status=status)


def _render_sections(request, article):
    """The discussion and (out of band) the questions section, re-rendered for htmx after a staff
    action, showing what the reader was looking at (sort, page, question of HX-Current-URL)."""
    article = Article.objects.for_detail().get(pk=article.pk)
    current = urlsplit(request.htmx.current_url or "")
    params = threads.ThreadParams.from_query(QueryDict(current.query))
    discussion = render_to_string(
        "discussions/_discussion_section.html",
        threads.discussion_section_context(request, article, params),
        request=request,
    )
    questions = render_to_string(
        "discussions/_questions_section.html",
        {**threads.questions_section_context(request, article), "oob": True},
        request=request,
    )
    return HttpResponse(discussion + questions)


def _staff_done(request, article, message, *, anchor="discussion"):
    if request.htmx:
        return _render_sections(request, article)
    messages.success(request, message)
    return redirect(threads.ThreadParams().url(article, anchor=anchor))


def _parse_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Reading ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def comment(request, pk):
    """A comment's permalink: its place on the article page, or its fragment for htmx (the
    "cancel" of an edit)."""
    comment = _comment_or_404(request, pk)
    if request.htmx:
        return _render_comment_main(request, comment)
    return redirect(threads.comment_location(comment, user=request.user))


# Posting ----------------------------------------------------------------------------------------


def _numbered_questions(article):
    """The article's questions in their order, numbered from 1 as its page numbers them."""
    questions = list(Question.objects.filter(article=article).order_by("position", "pk"))
    for number, question in enumerate(questions, start=1):
        question.number = number
    return questions


@require_POST
@signed_in
def post_comment(request, article_id):
    """A new comment, or a reply when the form names a `parent`."""
    user = request.user
    article = participation.article_to_post_on(article_id, user=user)
    if article is None:
        raise Http404("No Article matches the given query.")  # as get_object_or_404() says
    parent = None
    if "parent" in request.POST:
        parent_id = _parse_id(request.POST["parent"])
        parent = (
            Comment.objects.visible_to(user).select_related("author").filter(pk=parent_id).first()
            if parent_id
            else None
        )
        if parent is None:
            raise Http404(gettext("The comment you are replying to does not exist."))
    notice = _comment_notice(parent) if parent else "#comment-form-notice"
    if parent is not None and parent.article_id != article.pk:
        return _refusal(
            request, BadRequest(gettext("That comment belongs to another article.")), notice=notice
        )
    # The article's questions are read only when the form names one or is shown again: a
    # comment that answers no question needs none of them. Read plainly, once: not
    # threads.questions_for(), which also counts their answers and picks for the page.
    questions = cache(lambda: _numbered_questions(article))
    question_id = request.POST.get("question") if parent is None else None
    if question_id and _parse_id(question_id) not in {q.pk for q in questions()}:
        return _refusal(
            request,
            BadRequest(gettext("That question is not one of this article's questions.")),
            notice=notice,
        )

    def open_questions():
        return [question for question in questions() if not question.is_closed]

    form = CommentForm(
        request.POST,
        questions=open_questions if parent is None else None,
        auto_id=_field_ids("reply", parent) if parent else "id_%s",
    )
    if form.is_valid():
        answered = form.cleaned_data.get("question")
        question = next((q for q in questions() if q.pk == answered), None) if answered else None
        try:
            ratelimits.hit("comment", user)
            new_comment = participation.post_comment(
                article=article,
                author=user,
                body=form.cleaned_data["body"],
                question=question,
                parent=parent,
                base_url=_base_url(request),
            )
        except (PermissionDenied, BadRequest) as error:
            return _refusal(request, error, notice=notice)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if not request.htmx:
                if new_comment.is_pending:
                    messages.info(
                        request, gettext("Thank you. Your comment will appear once a moderator approves it.")
                    )
                return redirect(participation.location_of(new_comment, user=user))
            new_comment.article = article
            html = render_to_string(
                "discussions/_comment.html", {"comment": _prepared(new_comment, user)}, request=request
            )
            if parent is not None:
                slot = render_to_string("discussions/_comment_forms.html#reply-slot", {"parent": parent})
                return HttpResponse(html + slot)
            fresh_form = render_to_string(
                "discussions/_comment_forms.html#comment-form",
                {"article": article, "form": CommentForm(questions=open_questions)},
                request=request,
            )
            return HttpResponse(fresh_form + html)

    context = {"article": article, "form": form, "parent": parent}
    if request.htmx:
        name = "reply-form" if parent else "comment-form"
        return render(request, f"discussions/_comment_forms.html#{name}", context)
    return _form_page(
        request,
        heading=gettext("Reply") if parent else gettext("Your comment"),
        partial="discussions/_comment_forms.html#" + ("reply-form" if parent else "comment-form"),
        shown_comment=parent,
        **context,
    )


@require_http_methods(["GET", "HEAD"])
@signed_in
def reply(request, pk):
    parent = _comment_or_404(request, pk)
    try:
        moderation.can_reply(request.user, parent).raise_if_refused()
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=_comment_notice(parent))
    context = {
        "article": parent.article,
        "parent": parent,
        "form": CommentForm(auto_id=_field_ids("reply", parent)),
    }
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#reply-form", context)
    return _form_page(
        request,
        heading=gettext("Reply"),
        partial="discussions/_comment_forms.html#reply-form",
        shown_comment=parent,
        **context,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def edit(request, pk):
    comment = _comment_or_404(request, pk)
    try:
        moderation.can_edit(request.user, comment).raise_if_refused()
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=_comment_notice(comment))
    if request.method == "POST":
        form = CommentForm(request.POST, auto_id=_field_ids("edit", comment))
        if form.is_valid():
            try:
                participation.edit_comment(comment, by=request.user, body=form.cleaned_data["body"])
            except (PermissionDenied, BadRequest) as error:
                return _refusal(request, error, notice=_comment_notice(comment))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if request.htmx:
                    return _render_comment_main(request, comment)
                return redirect(threads.comment_location(comment, user=request.user))
    else:
        form = CommentForm(initial={"body": comment.body}, auto_id=_field_ids("edit", comment))
    context = {"article": comment.article, "comment": comment, "form": form}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#edit-form", context)
    return _form_page(
        request,
        heading=gettext("Edit your comment"),
        partial="discussions/_comment_forms.html#edit-form",
        **context,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def delete(request, pk):
    comment = _comment_or_404(request, pk)
    try:
        moderation.can_delete(request.user, comment).raise_if_refused()
        if request.method == "POST":
            participation.delete_comment(comment, by=request.user)
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=_comment_notice(comment))
    if request.method == "POST":
        if request.htmx:
            return _render_comment_main(request, comment)
        messages.success(request, gettext("Your comment has been deleted."))
        return redirect(threads.comment_location(comment, user=request.user))
    context = {"article": comment.article, "comment": comment}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#delete-form", context)
    return _form_page(
        request,
        heading=gettext("Delete your comment?"),
        partial="discussions/_comment_forms.html#delete-form",
        shown_comment=comment,
        **context,
    )


@require_POST
@signed_in
def vote(request, pk):
    comment = _comment_or_404(request, pk)
    try:
        ratelimits.hit("vote", request.user)
        participation.toggle_vote(comment, by=request.user)
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=_comment_notice(comment))
    if request.htmx:
        return render(
            request, "discussions/_comment.html#vote", {"comment": _prepared(comment, request.user)}
        )
    return redirect(threads.comment_location(comment, user=request.user))


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def report(request, pk):
    comment = _comment_or_404(request, pk)
    try:
        moderation.can_report(request.user, comment).raise_if_refused()
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=_comment_notice(comment))
    form = ReportForm(request.POST or None, auto_id=_field_ids("report", comment))
    if request.method == "POST" and form.is_valid():
        try:
            ratelimits.hit("flag", request.user)
            participation.report_comment(
                comment, by=request.user, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"]
            )
        except (PermissionDenied, BadRequest) as error:
            return _refusal(request, error, notice=_comment_notice(comment))
        except ValidationError as error:
            return _refusal(request, BadRequest(" ".join(error.messages)), notice=_comment_notice(comment))
        thanks = gettext("Thank you for the report. A moderator will look at the comment.")
        if request.htmx:
            response = _render_comment_main(request, comment, thanks=thanks)
            response["HX-Retarget"] = f"#comment-{comment.pk}-main"
            response["HX-Reswap"] = "outerHTML"
            return response
        messages.success(request, thanks)
        return redirect(threads.comment_location(comment, user=request.user))
    context = {"article": comment.article, "comment": comment, "form": form}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#report-form", context)
    return _form_page(
        request,
        heading=gettext("Report a comment"),
        partial="discussions/_comment_forms.html#report-form",
        shown_comment=comment,
        **context,
    )


# Following --------------------------------------------------------------------------------------


def _wants_follow(request):
    return request.POST.get("follow") != "0"


@require_POST
@signed_in
def follow_article(request, article_id):
    article = _article_or_404(article_id)
    following = participation.set_following(request.user, article=article, follow=_wants_follow(request))
    if request.htmx:
        return render(
            request,
            "discussions/_discussion_section.html#follow-article",
            {"discussion": {"article": article, "following_article": following}},
        )
    messages.success(
        request,
        gettext("You follow this article: new comments come to you by email.")
        if following
        else gettext("You no longer follow this article."),
    )
    return redirect(threads.ThreadParams().url(article))


@require_POST
@signed_in
def follow_thread(request, pk):
    comment = _comment_or_404(request, pk)
    if comment.parent_id is not None:
        return _refusal(
            request,
            BadRequest(gettext("Follow the thread from its first comment.")),
            notice=_comment_notice(comment),
        )
    comment.followed = participation.set_following(
        request.user, article=comment.article, comment=comment, follow=_wants_follow(request)
    )
    if request.htmx:
        return render(request, "discussions/_comment.html#follow-thread", {"comment": comment})
    messages.success(
        request,
        gettext("You follow this thread: replies come to you by email.")
        if comment.followed
        else gettext("You no longer follow this thread."),
    )
    return redirect(threads.comment_location(comment, user=request.user))


# Staff: questions, picks, threads ---------------------------------------------------------------


def _staff_action(request, article, action, message, *, notice="#discussion-notice", anchor="discussion"):
    try:
        action()
    except (PermissionDenied, BadRequest) as error:
        return _refusal(request, error, notice=notice)
    return _staff_done(request, article, message, anchor=anchor)


@require_POST
@signed_in
def pin(request, pk):
    comment = _comment_or_404(request, pk)
    return _staff_action(
        request,
        comment.article,
        lambda: moderation.pin_answer(comment, by=request.user),
        gettext("The comment is now the editor's pick of its question."),
        notice=_comment_notice(comment),
        anchor=f"comment-{comment.pk}",
    )


@require_POST
@signed_in
def unpin(request, pk):
    question = get_object_or_404(Question.objects.filter(article__in=Article.objects.readable()), pk=pk)
    return _staff_action(
        request,
        question.article,
        lambda: moderation.unpin_answer(question, by=request.user),
        gettext("The editor's pick has been unpinned."),
        anchor=f"question-{question.pk}",
    )


@require_POST
@signed_in
def move(request, pk):
    comment = _comment_or_404(request, pk)
    questions = threads.questions_for(comment.article)
    form = MoveForm(request.POST, questions=questions)
    if not form.is_valid():
        error = BadRequest(gettext("Choose one of this article's questions."))
        return _refusal(request, error, notice=_comment_notice(comment))
    to_question = next((q for q in questions if q.pk == form.cleaned_data["question"]), None)
    return _staff_action(
        request,
        comment.article,
        lambda: moderation.move_comment(
            comment, to_question=to_question, by=request.user, reason=form.cleaned_data["reason"]
        ),
        gettext("The comment has been moved."),
        notice=_comment_notice(comment),
        anchor=f"comment-{comment.pk}",
    )


def _question_action(request, pk, transition, message):
    question = get_object_or_404(
        Question.objects.filter(article__in=Article.objects.readable()).select_related("article"), pk=pk
    )
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _staff_action(
        request,
        question.article,
        lambda: transition(question, by=request.user, reason=reason),
        message,
        anchor=f"question-{question.pk}",
    )


@require_POST
@signed_in
def close_question(request, pk):
    return _question_action(
        request, pk, moderation.close_question, gettext("The question is closed to new answers.")
    )


@require_POST
@signed_in
def reopen_question(request, pk):
    return _question_action(request, pk, moderation.reopen_question, gettext("The question is open again."))


def _thread_action(request, article_id, transition, message):
    article = _article_or_404(article_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _staff_action(
        request, article, lambda: transition(article, by=request.user, reason=reason), message
    )


@require_POST
@signed_in
def lock(request, article_id):
    return _thread_action(request, article_id, moderation.lock_thread, gettext("The discussion is locked."))


@require_POST
@signed_in
def unlock(request, article_id):
    return _thread_action(
        request, article_id, moderation.unlock_thread, gettext("The discussion is unlocked.")
    )


@require_POST
@signed_in
def close(request, article_id):
    return _thread_action(request, article_id, moderation.close_comments, gettext("Comments are closed."))


@require_POST
@signed_in
def reopen(request, article_id):
    return _thread_action(
        request, article_id, moderation.reopen_comments, gettext("Comments are open again.")
    )


# Unsubscribing from emails ----------------------------------------------------------------------


@csrf_exempt  # The signed token is the credential; mail clients POST here (RFC 8058 one-click).
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows what the link stops and a button; only POST changes anything, so link scanners
    that fetch every URL of an email unsubscribe nobody."""
    unsubscription = notifications.read_unsubscribe_token(token)
    user = User.objects.filter(pk=unsubscription.user_id).first() if unsubscription else None
    if user is None:
        return render(
            request,
            "discussions/refused.html",
            {
                "message": gettext(
                    "This unsubscribe link is not valid. Change your email settings after signing in."
                )
            },
            status=400,
        )
    kind, target = unsubscription.kind, None
    if kind == notifications.Kind.ARTICLE:
        target = Article.objects.filter(pk=unsubscription.target_id).first()
    elif kind == notifications.Kind.THREAD:
        target = (
            Comment.objects.select_related("article", "author").filter(pk=unsubscription.target_id).first()
        )
    done = False
    if request.method == "POST":
        if kind == notifications.Kind.REPLY:
            User.objects.filter(pk=user.pk).update(notify_on_reply=False)
        elif kind == notifications.Kind.ARTICLE:
            Follow.objects.of_article(unsubscription.target_id).filter(user=user).delete()
        else:
            Follow.objects.filter(user=user, comment=unsubscription.target_id).delete()
        done = True
    return render(
        request,
        "discussions/unsubscribe.html",
        {"kind": kind, "target": target, "done": done, "recipient": user},
    )
