from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "bio", "website")}),
        (_("Notifications"), {"fields": ("notify_on_reply", "notify_on_follow")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")


# The admin's own sign-in form would skip allauth: its rate limits and two-factor step. Send it
# through allauth's sign-in page instead.
admin.site.login = secure_admin_login(admin.site.login)
