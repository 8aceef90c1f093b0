import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Max, OuterRef, Subquery


def fill_roots(apps, schema_editor):
    """Each reply's root from its parent's, one depth at a time (a parent is one level up, so its
    root is already set): a few UPDATEs whatever the number of comments."""
    Comment = apps.get_model("discussions", "Comment")
    replies = Comment.objects.filter(parent__isnull=False)
    Comment.objects.filter(depth=1).update(root=F("parent"))
    deepest = replies.aggregate(deepest=Max("depth"))["deepest"] or 0
    for depth in range(2, deepest + 1):
        parents_root = Comment.objects.filter(pk=OuterRef("parent")).values("root")[:1]
        replies.filter(depth=depth).update(root=Subquery(parents_root))


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0005_moderation_rules_and_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="root",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="discussions.comment",
                verbose_name="thread",
            ),
        ),
        migrations.RunPython(fill_roots, migrations.RunPython.noop, elidable=True),
    ]
