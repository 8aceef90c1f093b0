from django.contrib.auth.management import create_permissions
from django.db import migrations

# codenames per group; "model:action" expands to the default permission action_model.
MODERATOR_PERMISSIONS = {
    "discussions": [
        "comment:view",
        "comment:change",
        "moderate_comment",
        "flag:view",
        "flag:change",
        "question:view",
        "curate_answers",
        "thread:view",
        "thread:add",
        "thread:change",
        "lock_thread",
        "close_thread",
        "suspension:view",
        "suspension:add",
        "suspension:change",
        "suspend_user",
        "watchedword:view",
        "watchedword:add",
        "watchedword:change",
        "watchedword:delete",
        "moderationaction:view",
    ],
    "articles": ["article:view"],
}

EDITOR_PERMISSIONS = {
    "discussions": [
        "question:view",
        "question:add",
        "question:change",
        "question:delete",
        "curate_answers",
        "thread:view",
        "thread:add",
        "thread:change",
        "close_thread",
        "comment:view",
    ],
}


def _codename(entry):
    model, _, action = entry.partition(":")
    return f"{action}_{model}" if action else model


def _permissions(apps, wanted):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, entries in wanted.items():
        codenames = [_codename(entry) for entry in entries]
        permissions = list(
            Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions not found in {app_label}: {sorted(missing)}")
        found += permissions
    return found


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups
    # can hold them on a fresh database.
    for app_label in ("discussions", "articles"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(*_permissions(apps, MODERATOR_PERMISSIONS))
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*_permissions(apps, EDITOR_PERMISSIONS))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Moderators").delete()
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(*_permissions(apps, EDITOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0002_permissions"),
        ("articles", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
