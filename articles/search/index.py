"""Keeping the search index in step with the articles.

An article has an entry while it is published or archived; any other status removes it. The
receivers below run in the transaction of the change that triggers them, so the index never
disagrees with committed data. `rebuild()` (manage.py rebuild_search_index) starts afresh.
Changes that bypass signals (QuerySet.update(), raw SQL) need a rebuild.
"""

import html
import re
from collections import defaultdict

from django.db import connection, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from articles.models import Article, ArticleSearchEntry, Source
from articles.search import backends

INDEXED_STATUSES = (Article.Status.PUBLISHED, Article.Status.ARCHIVED)
BATCH_SIZE = 500
TAG_SEPARATOR = "\n"

_BLOCK_TAG = re.compile(
    r"</?(?:p|br|hr|h[1-6]|li|ul|ol|blockquote|pre|table|thead|tbody|tr|td|th|figure|figcaption)\b[^>]*>"
)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def plain_text(rendered_html):
    """The text of our own sanitised Markdown HTML: blocks on lines of their own, inline markup
    dropped without a space, so 独立<em>研究者</em> stays one run of characters."""
    text = _TAG.sub("", _BLOCK_TAG.sub("\n", rendered_html or ""))
    text = _SPACES.sub(" ", html.unescape(text))
    return _BLANK_LINES.sub("\n", text).strip()


_ARTICLE_VALUES = (
    *("pk", "status", "publish_at", "takedown_at", "source_id", "title", "original_title", "lead"),
    *("summary_html", "body_html", "source__name"),
)


def _entry(row, tag_names):
    return ArticleSearchEntry(
        article_id=row.pk,
        status=row.status,
        publish_at=row.publish_at,
        takedown_at=row.takedown_at,
        source_id=row.source_id,
        title=row.title,
        original_title=row.original_title,
        lead=row.lead,
        summary=plain_text(row.summary_html),
        tags=TAG_SEPARATOR.join(tag_names),
        source_name=row.source__name,
        body=plain_text(row.body_html),
    )


def index_articles(article_ids):
    """Bring the entries of these articles in line with the articles: written for those that
    are published or archived, removed for the others and for those that no longer exist."""
    article_ids = list(article_ids)
    with transaction.atomic():
        for start in range(0, len(article_ids), BATCH_SIZE):
            _index_batch(article_ids[start : start + BATCH_SIZE])


def _index_batch(article_ids):
    rows, tag_names = _read(article_ids)
    indexed = {row.pk for row in rows}
    stale = [pk for pk in article_ids if pk not in indexed]
    if stale:
        ArticleSearchEntry.objects.filter(article_id__in=stale).delete()
    if rows:
        _write(_prepare(backends.current(), rows, tag_names))


def _read(article_ids):
    """The indexed articles among these, as named rows of _ARTICLE_VALUES (model instances
    would cost more than the rest of reading them), and their tags' names."""
    rows = list(
        Article.objects.filter(pk__in=article_ids, status__in=INDEXED_STATUSES).values_list(
            *_ARTICLE_VALUES, named=True
        )
    )
    # One query for the batch's tags (taggit's prefetch builds a queryset per article).
    tag_names = defaultdict(list)
    if rows:
        for article_id, name in (
            TaggedItem.objects.filter(
                content_type__app_label="articles",
                content_type__model="article",
                object_id__in=[row.pk for row in rows],
            )
            .order_by("tag__name")
            .values_list("object_id", "tag__name")
        ):
            tag_names[article_id].append(name)
    return rows, dict(tag_names)


def _prepare(backend, rows, tag_names):
    """The entries of these articles with the terms of their fields: (entry, terms by field)."""
    prepared = []
    for row in rows:
        entry = _entry(row, tag_names.get(row.pk, ()))
        terms = [backend.field_terms(getattr(entry, field)) for field in backends.FIELDS]
        backend.prepare(entry, terms)
        prepared.append((entry, terms))
    return prepared


_WRITTEN_FIELDS = [
    "status",
    "publish_at",
    "takedown_at",
    "source",
    *backends.FIELDS,
    "search_vector",
    "rank_vector",
]


def _write(prepared, *, fresh=False):
    backend = backends.current()
    entries = [entry for entry, _ in prepared]
    terms_by_entry = {entry.article_id: terms for entry, terms in prepared}
    with connection.cursor() as cursor:
        if fresh:
            _insert(cursor, entries)
        else:
            ArticleSearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=[*_WRITTEN_FIELDS, "indexed_at"],
            )
        backend.write(cursor, entries, terms_by_entry, fresh=fresh)


def _insert(cursor, entries):
    """Plain INSERTs of new entries, the values prepared as bulk_create() would (which spends
    more on building one statement for the batch than the database spends writing it)."""
    fields = ArticleSearchEntry._meta.concrete_fields
    indexed_at = ArticleSearchEntry._meta.get_field("indexed_at")
    quote = connection.ops.quote_name
    rows = []
    for entry in entries:
        indexed_at.pre_save(entry, add=True)
        rows.append([field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields])
    cursor.executemany(
        f"INSERT INTO {quote(ArticleSearchEntry._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})",
        rows,
    )


def rebuild(*, batch_size=BATCH_SIZE, progress=None):
    """Empty the index and index every published and archived article again, in batches, in
    one transaction (readers keep the old index until it commits). `progress(n)` is called
    after each batch with the number of articles done in it. Returns the number indexed."""
    backend = backends.current()
    ids = list(
        Article.objects.filter(status__in=INDEXED_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor, backend.bulk_load(cursor):
        backend.drop_schema(cursor)
        ArticleSearchEntry.objects.all()._raw_delete(ArticleSearchEntry.objects.db)
        if backend.schema_before_load:
            backend.create_schema(cursor)
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            _write(_prepare(backend, *_read(batch)), fresh=True)
            if progress:
                progress(len(batch))
        if not backend.schema_before_load:
            backend.create_schema(cursor)
    return len(ids)


# Receivers, connected by ArticlesConfig.ready() -------------------------------------------------


def _article_saved(sender, instance, **kwargs):
    # Raw saves too: restoring a revision (django-reversion) saves raw. The article is read
    # back from the database, so a fixture's half-loaded relations only leave it unindexed.
    index_articles([instance.pk])


def _tags_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        index_articles([instance.pk])


def _tag_saved(sender, instance, **kwargs):
    index_articles(
        article_id
        for article_id, names in ArticleSearchEntry.objects.filter(article__tags=instance).values_list(
            "article_id", "tags"
        )
        if instance.name not in names.split(TAG_SEPARATOR)
    )


def _tag_deleting(sender, instance, **kwargs):
    # Its taggings go with it, without m2m_changed: note whose entries to correct afterwards.
    instance._search_article_ids = list(
        ArticleSearchEntry.objects.filter(article__tags=instance).values_list("article_id", flat=True)
    )


def _tag_deleted(sender, instance, **kwargs):
    index_articles(getattr(instance, "_search_article_ids", []))


def _source_saved(sender, instance, **kwargs):
    index_articles(
        ArticleSearchEntry.objects.filter(source=instance)
        .exclude(source_name=instance.name)
        .values_list("article_id", flat=True)
    )


def _build_if_missing(sender, using, **kwargs):
    """After migrate: a database whose articles predate the index gets it built once."""
    tables = connections[using].introspection.table_names()
    if ArticleSearchEntry._meta.db_table not in tables or Article._meta.db_table not in tables:
        return  # migrated back to before the index (or the articles)
    if (
        not ArticleSearchEntry.objects.using(using).exists()
        and Article.objects.using(using).filter(status__in=INDEXED_STATUSES).exists()
    ):
        rebuild()


def connect(app_config):
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search_article_saved")
    m2m_changed.connect(_tags_changed, sender=TaggedItem, dispatch_uid="search_tags_changed")
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="search_tag_saved")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="search_tag_deleting")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="search_tag_deleted")
    post_save.connect(_source_saved, sender=Source, dispatch_uid="search_source_saved")
    post_migrate.connect(_build_if_missing, sender=app_config, dispatch_uid="search_build_if_missing")
