"""Data migrations, run against rows made before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Serialized rollback: the content types and permissions the database was created with are put
# back after the flush that ends a test run outside a transaction, with their ids, as the other
# tests that need a real transaction (tests/reliability) expect to find them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def migrate():
    def to(target):
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        executor.loader.build_graph()
        return executor.loader.project_state([target]).apps

    yield to
    to(MigrationExecutor(connection).loader.graph.leaf_nodes("discussions")[0])


def test_existing_replies_get_the_root_of_their_thread(migrate):
    apps = migrate(("discussions", "0005_moderation_rules_and_roles"))
    Source = apps.get_model("articles", "Source")
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("discussions", "Comment")
    article = Article.objects.create(
        title="线程", slug="xian-cheng", source=Source.objects.create(name="Source", slug="source")
    )

    def comment(parent=None):
        depth = parent.depth + 1 if parent else 0
        return Comment.objects.create(article=article, parent=parent, depth=depth, body="…")

    first, second = comment(), comment()
    child = comment(first)
    grandchild = comment(child)
    great_grandchild = comment(grandchild)
    other = comment(second)

    apps = migrate(("discussions", "0006_comment_root"))
    roots = dict(apps.get_model("discussions", "Comment").objects.values_list("pk", "root"))
    assert roots == {
        first.pk: None,
        second.pk: None,
        child.pk: first.pk,
        grandchild.pk: first.pk,
        great_grandchild.pk: first.pk,
        other.pk: second.pk,
    }
