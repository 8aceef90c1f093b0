"""Background work of the discussions, run by Django's tasks framework (settings.TASKS)."""

from django.tasks import task

from discussions import notifications


@task
def notify_about_comment(comment_id, base_url=""):
    """Email the readers to tell about a newly published comment (see notifications)."""
    return notifications.send_for_comment(comment_id, base_url=base_url)
