from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Exactly what moderating needs. Status changes go through the moderation queue and the admin's
# actions (moderate_comment), never through editing a comment, a report or a suspension row, so
# the group no longer holds change_comment, change_flag, add/change_suspension or add/change_thread
# (threads are locked and closed from the article page and the queue: lock_thread, close_thread).
MODERATOR_PERMISSIONS = {
    "discussions": [
        "view_comment",
        "moderate_comment",
        "view_flag",
        "view_question",
        "curate_answers",
        "view_thread",
        "lock_thread",
        "close_thread",
        "view_suspension",
        "suspend_user",
        "view_watchedword",
        "add_watchedword",
        "change_watchedword",
        "delete_watchedword",
        "view_moderationaction",
    ],
    "articles": ["view_article"],
}

# What 0003 gave the group, restored on the way back.
PREVIOUS_EXTRA = [
    "change_comment",
    "change_flag",
    "add_thread",
    "change_thread",
    "add_suspension",
    "change_suspension",
]


def _permissions(apps, app_label, codenames):
    Permission = apps.get_model("auth", "Permission")
    found = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"Permissions not found in {app_label}: {sorted(missing)}")
    return found


def _ensure_permissions(apps):
    for app_label in ("discussions", "articles"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def set_moderator_permissions(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    wanted = []
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        wanted += _permissions(apps, app_label, codenames)
    moderators.permissions.set(wanted)


def restore_previous(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators:
        moderators.permissions.add(*_permissions(apps, "discussions", PREVIOUS_EXTRA))


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0004_moderationaction_details"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="moderationaction",
            name="actor_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("system", "system"),
                    ("administrator", "administrator"),
                    ("moderator", "moderator"),
                    ("editor", "editor"),
                    ("staff", "staff"),
                    ("reader", "reader"),
                ],
                max_length=40,
                verbose_name="role",
            ),
        ),
        migrations.AlterField(
            model_name="watchedword",
            name="word",
            field=models.CharField(
                help_text=(
                    "Matched anywhere in a comment, also inside longer words (Chinese has no spaces between "
                    "words), ignoring case and full-width letters."
                ),
                max_length=100,
                unique=True,
                verbose_name="word or phrase",
            ),
        ),
        migrations.AddIndex(
            model_name="moderationaction",
            index=models.Index(fields=["kind", "-created_at"], name="moderation_kind_idx"),
        ),
        migrations.RunPython(set_moderator_permissions, restore_previous),
    ]
