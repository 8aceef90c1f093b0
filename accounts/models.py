from django.contrib.auth.models import AbstractUser
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.names import normalize_display_name

http_url_validator = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://.")
)


class User(AbstractUser):
    """A reader, editor or moderator. Profile fields live here so that showing a display name
    next to a comment costs no extra query."""

    display_name = models.CharField(
        _("display name"),
        max_length=40,
        blank=True,
        help_text=_("Shown on your comments instead of your email address."),
    )
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    website = models.URLField(_("website"), blank=True, validators=[http_url_validator])
    notify_on_reply = models.BooleanField(_("email me when someone replies to my comment"), default=True)
    notify_on_follow = models.BooleanField(_("email me about threads and articles I follow"), default=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.public_name

    def clean(self):
        super().clean()
        self.display_name = normalize_display_name(self.display_name)

    @property
    def public_name(self):
        return self.display_name or self.username

    @property
    def website_link(self):
        """The website, only if it is an http(s) address: rows written around the form validation
        (imports, the shell) must not put a javascript: link on a profile."""
        if self.website.lower().startswith(("http://", "https://")):
            return self.website
        return ""

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"username": self.username})
