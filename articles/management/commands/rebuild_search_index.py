import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.models import Article
from articles.search import index


class Command(BaseCommand):
    help = (
        "Rebuild the search index from scratch: every published and archived article, in batches, "
        "in one transaction, so searches keep using the old index until the new one is complete. "
        "Needed after changes that bypass the model (QuerySet.update(), raw SQL, restoring a backup "
        "of only some tables); the index otherwise follows every save by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=index.BATCH_SIZE,
            help=f"Articles read and written per batch (default {index.BATCH_SIZE}).",
        )

    def handle(self, *args, batch_size, **options):
        total = Article.objects.filter(status__in=index.INDEXED_STATUSES).count()
        with tqdm(
            total=total,
            unit="article",
            desc="Indexing",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ) as bar:
            done = index.rebuild(batch_size=max(1, batch_size), progress=bar.update)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Indexed {done} articles."))
