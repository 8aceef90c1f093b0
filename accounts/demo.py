"""Demo accounts for a development site. Never run against production data: the passwords are public."""

from django.contrib.auth.models import Group

from accounts.models import User

DEMO_PASSWORD = "qingtan-demo-2026"  # noqa: S105 - printed by `make run` on purpose

DEMO_ACCOUNTS = [
    # username, display name, role
    ("admin", "站长 Admin", "superuser"),
    ("editor", "编辑小林", "editor"),
    ("moderator", "版主阿青", "moderator"),
    ("reader", "读者甲", "reader"),
    ("reader2", "Reader Two", "reader"),
]

ROLE_GROUPS = {"editor": ["Editors"], "moderator": ["Moderators"], "superuser": [], "reader": []}


def ensure_demo_accounts():
    """Create the demo accounts if missing; return (username, email, password, role) rows."""
    from allauth.account.models import EmailAddress

    rows = []
    for username, display_name, role in DEMO_ACCOUNTS:
        email = f"{username}@example.com"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": email,
                "display_name": display_name,
                "is_staff": role in {"superuser", "editor", "moderator"},
                "is_superuser": role == "superuser",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for group_name in ROLE_GROUPS[role]:
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
        # Verified, so the demo sign-ins work with mandatory verification too.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        rows.append((username, email, DEMO_PASSWORD, role))
    return rows
