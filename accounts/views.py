"""The public profile and the signed-in reader's own settings. Settings views act on
request.user only: no URL carries a user id, so nobody can reach another reader's settings."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from accounts import lifecycle
from accounts.forms import DeleteAccountForm, NotificationsForm, ProfileForm
from accounts.models import User


@require_GET
@vary_on_headers("HX-Request")
def profile(request, username):
    profile_user = get_object_or_404(User, username=username, is_active=True)
    template = "accounts/user_detail.html"
    if request.htmx:
        template += "#comments"
    return render(request, template, {"profile_user": profile_user})


@login_required
@require_GET
def settings_index(request):
    return render(request, "accounts/settings.html")


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request):
    # A copy, so a rejected name never shows in the header while the form is re-displayed.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:edit_profile")
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    form = NotificationsForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications_form.html", {"form": form})


@never_cache
@login_required
@require_GET
@ratelimit(key="user", rate="10/h", block=True)
def export_data(request):
    data = lifecycle.export_personal_data(request.user)
    data = {"exported_at": timezone.now(), **data}
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"qingtan-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="5/m", method="POST", block=True)
def delete_account(request):
    user = request.user
    if not user.has_usable_password():
        messages.info(request, _("Set a password first: deleting your account asks for it."))
        return redirect("account_set_password")
    if lifecycle.is_last_superuser(user):
        messages.error(request, _("You are the last administrator. Make someone else one before leaving."))
        return redirect("accounts:settings")
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        lifecycle.delete_account(user, keep_contributions=form.keep_contributions)
        logout(request)
        messages.success(request, _("Your account has been deleted. Thank you for the conversations."))
        return redirect("/")
    return render(request, "accounts/account_delete.html", {"form": form})
