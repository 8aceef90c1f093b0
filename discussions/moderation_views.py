"""The moderation pages: the queue (/moderation/ and its tabs), one comment's page, suspensions,
the moderators' log and the public log. Thin wrappers over `moderation`.

Every action is a POST checked server-side by the transition it calls. An htmx request gets the
queue item in its new state (or a notice in the item, HX-Retarget); a plain form POST redirects
back to the tab it came from with a message, so everything works without JavaScript.
"""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from discussions import moderation
from discussions.forms import BulkModerationForm, LogFilterForm, ModerationForm, SuspendForm
from discussions.models import Comment, ModerationAction, Suspension
from discussions.views import _base_url, _safe_url, signed_in

PER_PAGE = 25
LOG_PER_PAGE = 50

TABS = {
    "pending": (_("Awaiting approval"), "discussions:moderation_queue"),
    "reported": (_("Reported"), "discussions:moderation_reported"),
    "recent": (_("Hidden and removed"), "discussions:moderation_recent"),
    "suspended": (_("Suspended readers"), "discussions:moderation_suspended"),
}

# Reasons a moderator often gives, offered as suggestions (a <datalist>) in every reason field.
COMMON_REASONS = [
    _("Personal attack"),
    _("Advertising or spam"),
    _("Off topic"),
    _("Shares someone's personal information"),
    _("Misleading claims"),
]


def _requires(policy):
    """Signed in (else the sign-in page) and allowed by `policy` (else 403 with its reason)."""

    def decorator(view):
        @wraps(view)
        @signed_in
        def wrapper(request, *args, **kwargs):
            policy(request.user).raise_if_refused()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _tab_url(tab):
    return reverse(TABS[tab][1])


def _next_url(request, default):
    return _safe_url(request, request.POST.get("next")) or default


def _reported():
    """Reported comments a moderator has still to decide on (removing one closes its reports)."""
    return Comment.objects.reported().exclude(status__in=[Comment.Status.REMOVED, Comment.Status.SPAM])


def _queue_counts():
    return {
        "pending": Comment.objects.awaiting_moderation().count(),
        "reported": _reported().count(),
    }


def _prepare(comments, user):
    """What each queue item shows beyond its row: the buttons that apply and why it was held."""
    for comment in comments:
        comment.actions = [moderation.COMMENT_ACTIONS[name] for name in moderation.actions_for(comment)]
        holds = getattr(comment, "hold_actions", [])
        comment.hold_reason = holds[0].reason if holds else ""
        comment.can_suspend_author = (
            comment.author is not None
            and comment.author.is_active
            and not comment.author.is_staff
            and bool(moderation.can_suspend(user))
        )
    return comments


def _queue_item(pk):
    return Comment.objects.for_moderation_queue().get(pk=pk)


# The queue --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@_requires(moderation.can_moderate)
def queue(request, tab="pending"):
    if tab == "pending":
        items = Comment.objects.awaiting_moderation().for_moderation_queue().order_by("created_at", "pk")
    elif tab == "reported":
        items = _reported().for_moderation_queue().order_by("-report_count", "created_at", "pk")
    elif tab == "recent":
        items = Comment.objects.recently_moderated().for_moderation_queue()
    else:
        items = moderation.suspended_users()
    page_obj = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    if tab != "suspended":
        _prepare(page_obj.object_list, request.user)
    context = {
        "tab": tab,
        "tabs": [(key, label, _tab_url(key)) for key, (label, _name) in TABS.items()],
        "page_obj": page_obj,
        "counts": _queue_counts(),
        "back_url": request.get_full_path(),
        "bulk_form": BulkModerationForm(),
        "common_reasons": COMMON_REASONS,
        "can_suspend": bool(moderation.can_suspend(request.user)),
        "can_view_log": bool(moderation.can_view_log(request.user)),
    }
    return render(request, "discussions/moderation/queue.html", context)


@require_http_methods(["GET", "HEAD"])
@_requires(moderation.can_moderate)
def comment_page(request, pk):
    """One comment as the queue shows it, with its whole moderation history: where the
    "Moderate" link of a comment on the article page leads."""
    try:
        comment = _queue_item(pk)
    except Comment.DoesNotExist:
        raise Http404(gettext("That comment does not exist.")) from None
    _prepare([comment], request.user)
    history = ModerationAction.objects.filter(comment=comment).select_related("actor")
    return render(
        request,
        "discussions/moderation/comment.html",
        {
            "comment": comment,
            "history": history,
            "back_url": request.get_full_path(),
            "common_reasons": COMMON_REASONS,
        },
    )


def _refused(request, error, *, comment_pk, back):
    message = str(error)
    if request.htmx:
        response = render(
            request, "discussions/_notice.html", {"message": message, "level": "error"}, status=400
        )
        response["HX-Retarget"] = f"#mod-item-{comment_pk}-notice"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, message)
    return redirect(back)


@require_POST
@_requires(moderation.can_moderate)
def moderate(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("article", "author"), pk=pk)
    back = _next_url(request, _tab_url("pending"))
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _refused(request, BadRequest(gettext("Choose one of the actions.")), comment_pk=pk, back=back)
    action = form.cleaned_data["action"]
    try:
        moderation.moderate_comment(
            comment,
            action,
            by=request.user,
            reason=form.cleaned_data["reason"],
            base_url=_base_url(request),
        )
    except BadRequest as error:
        return _refused(request, error, comment_pk=pk, back=back)
    done = DONE_MESSAGES[action]()
    if request.htmx:
        item = _prepare([_queue_item(pk)], request.user)[0]
        return render(
            request,
            "discussions/moderation/_item.html#moderation-item",
            {
                "comment": item,
                "done": done,
                "back_url": back,
                "bulk": bool(request.POST.get("bulk")),
                "common_reasons": COMMON_REASONS,
            },
        )
    messages.success(request, done)
    return redirect(back)


DONE_MESSAGES = {
    "approve": lambda: gettext("Approved: the comment is published."),
    "hide": lambda: gettext("Hidden: readers no longer see the comment."),
    "remove": lambda: gettext("Removed: its author sees your reason in its place."),
    "spam": lambda: gettext("Marked as spam."),
    "restore": lambda: gettext("Restored: the comment is published again."),
}


@require_POST
@_requires(moderation.can_moderate)
def moderate_bulk(request):
    back = _next_url(request, _tab_url("pending"))
    form = BulkModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    comments = list(
        Comment.objects.filter(pk__in=form.cleaned_data["comments"]).select_related("article", "author")
    )
    try:
        outcome = moderation.moderate_comments(
            comments,
            form.cleaned_data["action"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            base_url=_base_url(request),
        )
    except BadRequest as error:
        messages.error(request, str(error))
        return redirect(back)
    if outcome.done:
        messages.success(
            request,
            ngettext("%(count)d comment: %(done)s", "%(count)d comments: %(done)s", len(outcome.done))
            % {"count": len(outcome.done), "done": DONE_MESSAGES[form.cleaned_data["action"]]()},
        )
    if outcome.refused:
        messages.warning(
            request,
            ngettext(
                "%(count)d comment was left as it was: %(why)s",
                "%(count)d comments were left as they were: %(why)s",
                len(outcome.refused),
            )
            % {"count": len(outcome.refused), "why": outcome.refused[0][1]},
        )
    return redirect(back)


# Suspensions ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@_requires(moderation.can_suspend)
def suspend(request, pk):
    reader = get_object_or_404(User, pk=pk)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.suspend_user(
                reader, by=request.user, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"]
            )
        except BadRequest as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("%(name)s is suspended.") % {"name": reader.public_name})
            return redirect(_tab_url("suspended"))
    current = Suspension.objects.in_force().filter(user=reader).first()
    history = ModerationAction.objects.filter(target_user=reader).select_related("actor", "article")[:20]
    by_status = dict(
        Comment.objects.filter(author=reader)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts = [(label, by_status[status]) for status, label in Comment.Status.choices if status in by_status]
    return render(
        request,
        "discussions/moderation/suspend.html",
        {
            "reader": reader,
            "form": form,
            "current": current,
            "history": history,
            "counts": counts,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD"])
@_requires(moderation.can_suspend)
def find_reader(request):
    """The suspended-readers tab's "suspend a reader" box: from a username to the suspend form."""
    username = request.GET.get("username", "").strip()[:150]
    reader = User.objects.filter(username__iexact=username).first() if username else None
    if reader is None:
        messages.error(request, gettext("No reader has the username “%(name)s”.") % {"name": username})
        return redirect(_tab_url("suspended"))
    return redirect("discussions:suspend", pk=reader.pk)


@require_POST
@_requires(moderation.can_suspend)
def lift_suspension(request, pk):
    suspension = get_object_or_404(Suspension.objects.select_related("user"), pk=pk)
    back = _next_url(request, _tab_url("suspended"))
    try:
        try:
            # A form field, so a NUL character is refused here rather than by PostgreSQL (a 500).
            reason = forms.CharField(required=False).clean(request.POST.get("reason", ""))[:500]
        except ValidationError as error:
            raise BadRequest(" ".join(error.messages)) from None
        moderation.lift_suspension(suspension, by=request.user, reason=reason)
    except BadRequest as error:
        if request.htmx:
            response = render(
                request, "discussions/_notice.html", {"message": str(error), "level": "error"}, status=400
            )
            response["HX-Retarget"] = f"#suspension-{pk}-notice"
            response["HX-Reswap"] = "innerHTML"
            return response
        messages.error(request, str(error))
        return redirect(back)
    done = gettext("The suspension of %(name)s is lifted.") % {"name": suspension.user.public_name}
    if request.htmx:
        suspension.refresh_from_db()
        return render(
            request,
            "discussions/moderation/queue.html#suspension-row",
            {"suspension": suspension, "done": done},
        )
    messages.success(request, done)
    return redirect(back)


# Logs -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@_requires(moderation.can_view_log)
def log(request):
    form = LogFilterForm(request.GET or None)
    actions = ModerationAction.objects.for_log_page()
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            actions = actions.filter(kind=data["kind"])
        if data["role"]:
            actions = actions.filter(actor_role=data["role"])
        if data["actor"]:
            actions = actions.filter(actor__username=data["actor"])
        if data["article"]:
            actions = actions.filter(article_id=data["article"])
    page_obj = Paginator(actions, LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/moderation/log.html", {"form": form, "page_obj": page_obj})


@require_http_methods(["GET", "HEAD"])
def public_log(request):
    """What moderators hid or removed, where, by which role and why: never who reported it,
    who wrote it or what it said."""
    if not settings.QINGTAN["PUBLIC_MODERATION_LOG"]:
        raise Http404(gettext("The moderation log is not public on this site."))
    actions = ModerationAction.objects.public().for_public_log()
    page_obj = Paginator(actions, LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/moderation/public_log.html", {"page_obj": page_obj})
