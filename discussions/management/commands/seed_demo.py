import datetime
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_demo_accounts
from articles.demo_sources import DEMO_SOURCES
from articles.importing import DocumentError, document_paths, import_file
from articles.models import Article, Source
from discussions.demo import seed_discussions
from discussions.models import Comment, Flag

# The command lives in discussions, the top of the dependency graph, so that the demo content
# can span accounts, articles and discussions; the articles themselves stay in articles/demo/.
DEMO_DOCUMENTS = Path(apps.get_app_config("articles").path) / "demo"


class Command(BaseCommand):
    help = (
        "Create the demo accounts and demo content: the sources and the articles in articles/demo/, "
        "imported and published through the importer, and a discussion under them (answers, replies, "
        "votes, and a held, a reported and a hidden comment for the moderators). "
        "Safe to run again: nothing is duplicated or changed."
    )

    def handle(self, *args, **options):
        rows = ensure_demo_accounts()
        created = self.seed_articles()
        self.stdout.write(
            f"Demo content: {Article.objects.count()} articles from {Source.objects.count()} sources "
            f"({created} new)."
        )
        User = get_user_model()
        new_comments = seed_discussions(
            moderator=User.objects.filter(username="moderator").first(),
            editor=User.objects.filter(username="editor").first(),
        )
        self.stdout.write(
            f"Demo discussion: {Comment.objects.count()} comments ({new_comments} new), "
            f"{Comment.objects.awaiting_moderation().count()} awaiting approval, "
            f"{Flag.objects.open().values('comment').distinct().count()} reported."
        )
        self.stdout.write(self.style.SUCCESS("Demo sign-ins (email / password):"))
        for _username, email, password, role in rows:
            self.stdout.write(f"  {role:<10} {email:<24} {password}")

    @transaction.atomic
    def seed_articles(self):
        for name, homepage, description in DEMO_SOURCES:
            Source.objects.get_or_create(
                name=name, defaults={"homepage": homepage, "description": description}
            )
        files, _missing = document_paths([DEMO_DOCUMENTS])
        created = 0
        for path in files:
            try:
                result = import_file(path, publish=True)
            except DocumentError as error:
                raise CommandError(f"{path}: {error}") from error
            if result.created:
                created += 1
                self.backdate(result.article)
        return created

    def backdate(self, article):
        """New demo articles get a publish time a day after the original's, so the home page,
        the archive and the feeds look lived in; permission is recorded as granted."""
        if article.original_published_on:
            day = article.original_published_on + datetime.timedelta(days=1)
            article.publish_at = min(
                timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30))), timezone.now()
            )
        article.permission_status = Article.Permission.GRANTED
        article.permission_granted_by = article.source.name
        article.permission_evidence = "Demo content: the publication and the article are fictional."
        article.save()
