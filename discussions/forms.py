import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from discussions.models import Flag, ModerationAction
from discussions.moderation import COMMENT_ACTIONS

MAX_BULK = 100  # comments one bulk action changes; a queue page shows fewer

MARKDOWN_HELP = _("Markdown works: *emphasis*, **bold**, [a link](https://…), > a quote, `code`.")


class CommentForm(forms.Form):
    """A new comment, a reply (no question field) or an edit (body only)."""

    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 5}), help_text=MARKDOWN_HELP
    )
    question = forms.TypedChoiceField(
        label=_("Answering"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("This question is closed to new answers.")},
    )

    def __init__(self, *args, questions=None, **kwargs):
        """`questions`: the open questions a new comment may answer (the field rejects any other),
        or a function returning them, called only when the choices are needed: to show the form,
        or to check a posted question (a comment that answers none needs no list); None for
        replies and edits, which answer no question."""
        super().__init__(*args, **kwargs)
        max_length = settings.QINGTAN["COMMENT_MAX_LENGTH"]
        body = self.fields["body"]
        body.max_length = max_length
        body.validators.append(MaxLengthValidator(max_length))
        body.widget.attrs["maxlength"] = str(max_length)
        if callable(questions):
            self.fields["question"].choices = _LazyChoices(lambda: _question_choices(questions()))
        elif questions is not None:
            self.fields["question"].choices = _question_choices(questions)
        else:
            del self.fields["question"]


def _question_choices(questions):
    return [
        ("", _("No particular question")),
        *((question.pk, f"{question.number}. {question.text}") for question in questions),
    ]


class _LazyChoices(BaseChoiceIterator):
    """Choices made by `function` when first used, then kept (the template also asks their number)."""

    def __init__(self, function):
        self.function = function

    @cached_property
    def choices(self):
        return self.function()

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=Flag.Reason, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Details for the moderators (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(forms.Form):
    question = forms.TypedChoiceField(label=_("Move to"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            ("", _("No particular question")),
            *((question.pk, f"{question.number}. {question.text}") for question in questions),
        ]


class ReasonForm(forms.Form):
    """The optional reason of a staff action (lock, close), kept in the moderation log."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)


class ModerationForm(forms.Form):
    """One action on one comment from the queue: the button pressed names the action."""

    action = forms.ChoiceField(choices=[(name, action.label) for name, action in COMMENT_ACTIONS.items()])
    reason = forms.CharField(
        label=_("Reason (shown to the author when the comment is removed)"), required=False, max_length=500
    )


class IdListField(forms.Field):
    """The values of several checkboxes of the same name, as a list of distinct ids."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select comments from the list.")) from None
        # Past a 64-bit id no comment exists, and SQLite cannot even compare with such a number.
        if any(not 1 <= item < 2**63 for item in ids):
            raise forms.ValidationError(_("Select comments from the list."))
        return ids


class BulkModerationForm(ModerationForm):
    comments = IdListField(error_messages={"required": _("Select some comments first.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].label = _("With the selected comments")
        self.fields["action"].choices = [("", _("Choose an action…")), *self.fields["action"].choices]
        self.fields["action"].error_messages["required"] = _("Choose an action.")

    def clean_comments(self):
        return self.cleaned_data["comments"][:MAX_BULK]


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Suspended until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The suspension ends at the start of this day. Leave empty to suspend until lifted."),
    )
    reason = forms.CharField(
        label=_("Reason (the reader sees it)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_until(self):
        day = self.cleaned_data["until"]
        if day is None:
            return None
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        if start <= timezone.now():
            raise forms.ValidationError(_("Choose a day after today."))
        return start


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), required=False)
    role = forms.ChoiceField(label=_("By"), required=False)
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    article = forms.IntegerField(label=_("Article id"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any action")), *ModerationAction.Kind.choices]
        self.fields["role"].choices = [("", _("Anyone")), *ModerationAction.Role.choices]
