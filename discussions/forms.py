from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from discussions.models import Flag

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
        """`questions`: the open questions a new comment may answer (the field rejects any other);
        None for replies and edits, which answer no question."""
        super().__init__(*args, **kwargs)
        max_length = settings.QINGTAN["COMMENT_MAX_LENGTH"]
        body = self.fields["body"]
        body.max_length = max_length
        body.validators.append(MaxLengthValidator(max_length))
        body.widget.attrs["maxlength"] = str(max_length)
        if questions is not None:
            self.fields["question"].choices = [
                ("", _("No particular question")),
                *((question.pk, f"{question.number}. {question.text}") for question in questions),
            ]
        else:
            del self.fields["question"]


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
