import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.importing import DocumentError, document_paths, import_file


class Command(BaseCommand):
    help = (
        "Import articles from documents in the repost format (title, lead, 原文标题:, 原文作者:, "
        "冷月清谈:, 怜星夜思:, 原文内容, body, © THE END, readers' comments; or the English labels). "
        "Directories are searched for .txt and .md files. An article is identified by its source and "
        "original title (its title when it has none): importing a document again updates that article "
        "and changes nothing when the text is unchanged. New articles are drafts unless --publish. "
        "Each file is imported in its own transaction: a bad file is reported as FILE:LINE: message, "
        "nothing of it is written, the other files go on and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="Documents or directories.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new articles (and drafts being updated) now instead of leaving them as drafts.",
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="The source publication (created if new). Default: the document's original author.",
        )
        parser.add_argument(
            "--encoding",
            metavar="ENC",
            help="The files' encoding, e.g. gb18030 for legacy Chinese files. Default: UTF-8 (BOM or not).",
        )

    def handle(self, *args, paths, publish, source, encoding, **options):
        files, missing = document_paths(paths)
        for path in missing:
            self.stderr.write(f"{path}:1: No such file or directory.")
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": len(missing)}
        progress = tqdm(files, unit="file", file=sys.stderr, disable=True if len(files) < 2 else None)
        for path in progress:
            try:
                result = import_file(path, encoding=encoding, source_name=source, publish=publish)
            except DocumentError as error:
                counts["failed"] += 1
                with tqdm.external_write_mode(file=sys.stderr):
                    for line, message in error.problems:
                        self.stderr.write(f"{path}:{line}: {message}")
                continue
            if result.created:
                counts["created"] += 1
            elif result.changed:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            if options["verbosity"] >= 2:
                state = "created" if result.created else "updated" if result.changed else "unchanged"
                self.stdout.write(f"{path}: {state}: {result.article.title}")
        summary = "{created} created, {updated} updated, {unchanged} unchanged, {failed} failed.".format(
            **counts
        )
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
