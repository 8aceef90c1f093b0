from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.names import normalize_display_name, validate_not_reserved


class DisplayNameField(forms.CharField):
    """Normalises before the required and length checks, so a name made only of invisible
    characters counts as empty and hidden characters do not count towards the limit."""

    def __init__(self, *, check_reserved=True, **kwargs):
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault("max_length", User._meta.get_field("display_name").max_length)
        kwargs.setdefault(
            "help_text", _("Shown on your profile and your comments. Chinese and other scripts are welcome.")
        )
        kwargs.setdefault("error_messages", {"required": _("Enter a display name.")})
        super().__init__(**kwargs)
        if check_reserved:
            self.validators.append(validate_not_reserved)

    def to_python(self, value):
        return normalize_display_name(super().to_python(value))


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS). The adapter stores the
    display name before the username is derived from it (accounts.adapters)."""

    display_name = DisplayNameField(widget=forms.TextInput(attrs={"autocomplete": "nickname"}))

    field_order = ["email", "display_name", "password1", "password2"]

    def signup(self, request, user):
        """Required by allauth; AccountAdapter.save_user has already used the display name."""


class ProfileForm(forms.ModelForm):
    display_name = DisplayNameField()
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=User._meta.get_field("website").max_length,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An address starting with http:// or https://."),
    )

    class Meta:
        model = User
        fields = ["display_name", "bio", "website"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff may call themselves what they are; everybody else may not imitate them.
        if self.instance.is_staff:
            self.fields["display_name"].validators.remove(validate_not_reserved)


class NotificationsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_on_reply", "notify_on_follow"]


class DeleteAccountForm(forms.Form):
    KEEP, ERASE = "keep", "erase"
    comments = forms.ChoiceField(
        label=_("What happens to your comments?"),
        choices=[
            (KEEP, _("Keep them, attributed to “deleted user”.")),
            (ERASE, _("Replace their text with “[deleted]”.")),
        ],
        widget=forms.RadioSelect,
        help_text=_("Either way, replies by other readers stay where they are."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password

    @property
    def keep_contributions(self):
        return self.cleaned_data["comments"] == self.KEEP
