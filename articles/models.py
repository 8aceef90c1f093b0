import datetime
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from articles.text import reading_minutes, render_article_markdown, unicode_slug

# Its own code, so a model form shows this message rather than the form field's generic "invalid".
http_url_validator = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
    code="http_only",
)


def normalize_url(url):
    """The form of a URL used to spot the same original reposted twice: lower-case scheme and
    host, no trailing slash, no fragment and no utm_* tracking parameters."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_")
        )
    )
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


class Source(models.Model):
    """A publication articles are reposted from: a magazine, a site or an official account."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    homepage = models.URLField(_("homepage"), blank=True, validators=[http_url_validator], max_length=500)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.name, max_length=200, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"slug": self.slug})


def fill_empty_tag_slug(sender, instance, **kwargs):
    """pre_save of taggit's Tag (connected in ArticlesConfig.ready). taggit slugifies the name,
    which leaves nothing of a name like "!!" or "{{ }}": a tag without a slug has no address, and
    every page linking to it failed. Such a tag is called tag, tag-2, ..."""
    if not instance.slug:
        instance.slug = unique_slug(sender, "", max_length=100, fallback="tag")


def unique_slug(model, text, *, max_length, exclude_pk=None, fallback="item"):
    base = unicode_slug(text, max_length=max_length - 4) or fallback
    slug, n = base, 2
    others = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager
    while others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """Visible to the public right now: published, its publish time reached and its
        takedown time (if any) not yet reached. Scheduling needs no cron job because the
        clock is part of the query."""
        at = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=at).filter(
            Q(takedown_at__isnull=True) | Q(takedown_at__gt=at)
        )

    def readable(self, *, at=None):
        """Reachable at their own address: what published() shows, plus archived articles, which
        keep their page (with a banner) but leave lists, feeds and the sitemap."""
        at = at or timezone.now()
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.ARCHIVED], publish_at__lte=at
        ).filter(Q(takedown_at__isnull=True) | Q(takedown_at__gt=at))

    def tagged(self, slug):
        return self.filter(tags__slug=slug)

    def carrying(self, tag):
        """Articles with `tag`, as a condition checked per article (EXISTS) rather than the join
        of tagged(): a list can then walk the publish-time index newest first and stop after a
        page, where the join gathers and sorts every article of the tag first. The better plan
        for a tag on a good share of the articles; for a rare tag, tagged() is."""
        taggings = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Article), object_id=OuterRef("pk"), tag=tag
        )
        return self.filter(Exists(taggings))

    def published_in_month(self, year, month):
        """Published in the given month of the site's time zone."""
        start = timezone.make_aware(datetime.datetime(year, month, 1))
        end = timezone.make_aware(datetime.datetime(year + month // 12, month % 12 + 1, 1))
        return self.filter(publish_at__gte=start, publish_at__lt=end)

    def related_to(self, article, *, limit=4, per_tag=50):
        """Public articles sharing the most tags with `article`, newest first among equals, taken
        from the `per_tag` most recent public articles of each of its tags: an older article
        outside every one of those windows is not listed, however many tags it shares, so the
        work does not grow with the number of articles (a popular tag used to put thousands of
        candidates to the count). A candidate's shared tags are all it shares, not only those
        whose window it is in. Reads the article's tags from its prefetch cache when there is one.

        A window is found either by walking the newest articles (carrying()), about `per_tag` x
        (public articles / the tag's articles) steps of the index, or from the tag's taggings,
        one article read for each. PostgreSQL chooses per tag from its statistics, in one query.
        SQLite has no per-value statistics and would walk for every tag (all the public articles
        for a rare one), so a first query tells the tags on more than 20 x `per_tag` articles:
        they are walked, the rarer ones read from their taggings."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids:
            return self.none()
        at = timezone.now()
        common = set(tag_ids)
        if connections[self.db].vendor == "sqlite":
            common = set(
                Tag.objects.filter(pk__in=tag_ids)
                # Any model's taggings: the tag's index alone, stopping at the threshold.
                .filter(Exists(TaggedItem.objects.filter(tag=OuterRef("pk")).values("pk")[per_tag * 20 :]))
                .values_list("pk", flat=True)
            )
        content_type = ContentType.objects.get_for_model(Article)
        # The columns of the publish-time index only, so that walking it reads no article row
        # (on SQLite, reading takedown_at there made the walk ten times slower): an article
        # taken down keeps its place in a window, and the candidates are checked against the
        # whole of published() below.
        recent = (
            self.filter(status=Article.Status.PUBLISHED, publish_at__lte=at)
            .exclude(pk=article.pk)
            .order_by("-publish_at", "-pk")
            .values("pk")
        )
        windows = [
            recent.carrying(tag_id)
            if tag_id in common
            else recent.filter(
                pk__in=TaggedItem.objects.filter(content_type=content_type, tag_id=tag_id).values("object_id")
            )
            for tag_id in tag_ids
        ]
        # Each window inside its own IN: SQLite allows no LIMIT on the parts of a UNION.
        parts = [Article.objects.filter(pk__in=window[:per_tag]).values("pk") for window in windows]
        shared = (
            TaggedItem.objects.filter(content_type=content_type, tag_id__in=tag_ids, object_id=OuterRef("pk"))
            .values("object_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.published(at=at)
            .filter(pk__in=parts[0].union(*parts[1:], all=True))
            .annotate(shared_tags=Subquery(shared, output_field=models.IntegerField()))
            .select_related("source")
            .only("title", "slug", "publish_at", "status", "source__name", "source__slug")
            .order_by("-shared_tags", "-publish_at", "-pk")[:limit]
        )

    def publish_now(self, *, at=None):
        return _apply(self, lambda article: article.publish_now(at=at))

    def unpublish(self):
        return _apply(self, lambda article: article.unpublish())

    def archive(self):
        return _apply(self, lambda article: article.archive())

    def from_source(self, source):
        return self.filter(source=source)

    def for_list(self):
        """Published articles, newest first, each with its source. Not their tags: the list
        pages' cards are kept in the cache, and articles.fragments.render_cards() reads the tags
        of those it renders (with_listed_tags() for lists that show every article's tags)."""
        return self.published().select_related("source").order_by("-publish_at", "-pk")

    def with_listed_tags(self):
        """Each article's tags as a list in `listed_tags` (listed_tags_prefetch())."""
        return self.prefetch_related(listed_tags_prefetch())

    def for_detail(self):
        """With the source its page names. Not the tags: the page shows them in fragments kept
        until an article changes, so they are read only when one of those is rendered."""
        return self.select_related("source")


def listed_tags_prefetch():
    """An article's tags as a list in `listed_tags`, for prefetch_related(). A list rather than
    `tags.all`: for every article of a prefetch Django asks the tag manager for a queryset to
    keep the tags in, and taggit's manager builds a new filtered one each time (a third of a
    list page's time went there)."""
    return Prefetch("tags", to_attr="listed_tags")


@dataclass
class Outcome:
    """What a bulk status change did: the articles it changed, those already in the wanted
    state, and those it refused with the reason (a ValidationError)."""

    changed: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def _apply(queryset, change):
    outcome = Outcome()
    for article in queryset.select_related("source"):
        try:
            changed = change(article)
        except ValidationError as error:
            outcome.refused.append((article, error))
            continue
        (outcome.changed if changed else outcome.unchanged).append(article)
    return outcome


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Permission(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REQUESTED = "requested", _("Requested")
        NOT_REQUIRED = "not_required", _("Not required")
        PUBLIC_DOMAIN = "public_domain", _("Public domain")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "Part of the address. Chinese characters are kept. Left empty, it is made from the title."
        ),
    )
    lead = models.CharField(_("lead"), max_length=300, blank=True, help_text=_("One line under the title."))
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("The editorial summary (冷月清谈). Markdown.")
    )
    summary_html = models.TextField(editable=False, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("The original text. Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    reading_minutes = models.PositiveIntegerField(_("reading time (minutes)"), default=0, editable=False)
    tags = TaggableManager(_("tags"), blank=True)

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="articles"
    )
    original_title = models.CharField(_("original title"), max_length=300, blank=True)
    original_author = models.CharField(_("original author"), max_length=200, blank=True)
    original_url = models.URLField(
        _("original URL"), max_length=1000, blank=True, validators=[http_url_validator]
    )
    original_url_normalized = models.CharField(max_length=1000, blank=True, editable=False, db_index=True)
    original_published_on = models.DateField(_("original publication date"), null=True, blank=True)
    reprint_notice = models.TextField(
        _("reprint notice"), blank=True, help_text=_("For example the copyright line of the original.")
    )
    cover_image = models.ImageField(_("cover image"), upload_to="covers/%Y/%m/", blank=True)

    permission_status = models.CharField(
        _("reprint permission"), max_length=20, choices=Permission, default=Permission.REQUESTED
    )
    permission_granted_by = models.CharField(_("granted by"), max_length=200, blank=True)
    permission_granted_on = models.DateField(_("granted on"), null=True, blank=True)
    permission_evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("Where the permission is recorded: an email, a contract, a link."),
    )
    takedown_at = models.DateTimeField(
        _("take down at"),
        null=True,
        blank=True,
        help_text=_("After this time the article disappears from every public page."),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        help_text=_("A published article with a future time stays hidden until then. Empty: now."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edited_articles",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # Ascending, so that reading them backwards gives "newest first, then highest id" as the
        # lists order, with no sort: with "-publish_at" SQLite sorted every public article for a
        # page of 20 (bench/RESULTS.md, "Pages").
        indexes = [
            models.Index(fields=["status", "publish_at"], name="article_status_published_idx"),
            models.Index(fields=["source", "status", "publish_at"], name="article_source_published_idx"),
            # The next takedown to come, which cached pages must not outlive (articles.caching).
            models.Index(
                fields=["takedown_at"], condition=Q(takedown_at__isnull=False), name="article_takedown_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Article, self.title, max_length=220, exclude_pk=self.pk, fallback="article"
            )
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()
        self.summary_html = render_article_markdown(self.summary)
        self.body_html = render_article_markdown(self.body)
        self.reading_minutes = reading_minutes(f"{self.summary}\n{self.body}")
        self.original_url_normalized = normalize_url(self.original_url)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "summary_html",
                "body_html",
                "reading_minutes",
                "original_url_normalized",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.status == self.Status.PUBLISHED:
            if not (self.summary or "").strip():
                errors["summary"] = _("A published article needs a summary.")
            if not (self.body or "").strip():
                errors["body"] = _("A published article needs a body.")
        if self.takedown_at and self.publish_at and self.takedown_at <= self.publish_at:
            errors["takedown_at"] = _("The takedown time must be after the publish time.")
        if self.permission_status == self.Permission.GRANTED and not self.permission_granted_by:
            errors["permission_granted_by"] = _("Say who granted the permission.")
        if errors:
            raise ValidationError(errors)

    def _is_live(self, at):
        return (
            self.publish_at is not None
            and self.publish_at <= at
            and (self.takedown_at is None or self.takedown_at > at)
        )

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self._is_live(timezone.now())

    @cached_property
    def tags_by_name(self):
        """Its tags in the order its page shows them (taggit's manager has none of its own), read
        once; from the prefetch cache when there is one."""
        return sorted(self.tags.all(), key=lambda tag: tag.name)

    @property
    def is_readable(self):
        """Its page answers the public (see ArticleQuerySet.readable)."""
        return self.status in {self.Status.PUBLISHED, self.Status.ARCHIVED} and self._is_live(timezone.now())

    @property
    def is_archived(self):
        return self.status == self.Status.ARCHIVED

    def publish_now(self, *, at=None):
        """Make the article public from `at` (default now). Returns False when it already is;
        raises ValidationError when the article may not be published (see clean())."""
        at = at or timezone.now()
        if self.status == self.Status.PUBLISHED and self._is_live(at):
            return False
        if self.takedown_at is not None and self.takedown_at <= at:
            raise ValidationError(
                {"takedown_at": gettext("Its takedown time has passed; change or clear it first.")}
            )
        self.status = self.Status.PUBLISHED
        self.publish_at = at
        self.full_clean()
        self.save()
        return True

    def unpublish(self):
        """Back to draft: gone from every public page until published again."""
        if self.status not in {self.Status.PUBLISHED, self.Status.ARCHIVED}:
            return False
        self.status = self.Status.DRAFT
        self.save()
        return True

    def archive(self):
        """Out of lists, feeds and the sitemap; the page stays readable with a banner."""
        if self.status == self.Status.ARCHIVED:
            return False
        if self.status != self.Status.PUBLISHED:
            raise ValidationError(gettext("Only a published article can be archived."))
        self.status = self.Status.ARCHIVED
        self.save()
        return True

    def articles_with_same_original(self):
        if not self.original_url_normalized:
            return Article.objects.none()
        return Article.objects.filter(original_url_normalized=self.original_url_normalized).exclude(
            pk=self.pk
        )


class SearchVectorField(models.TextField):
    """PostgreSQL's tsvector, built in Python (see articles.search.tokens); plain text, left
    empty, on other databases, which keep their terms in their own full-text table."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_placeholder_sql(self, value, compiler, connection):
        return ("CAST(%s AS tsvector)" if connection.vendor == "postgresql" else "%s"), [value]


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key that is SQLite's rowid: declared `integer` rather than
    `bigint`, so looking a row up by it is one B-tree search instead of two."""

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class ArticleSearchEntryQuerySet(models.QuerySet):
    # The very rule of Article.objects.published(), applied to the entry's copies of the three
    # fields it reads: the search filters its matches without reading the (large) article rows.
    published = ArticleQuerySet.published


class ArticleSearchEntry(models.Model):
    """The searchable text of one published or archived article, as plain text, kept in step
    with the article by articles.search.index, with the article's visibility fields, so
    whether it is public right now is decided at query time."""

    # Small columns first: SQLite reads a row only as far as the columns a query needs.
    article = RowidOneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
    )
    status = models.CharField(_("status"), max_length=20)
    publish_at = models.DateTimeField(_("publish time"), null=True)
    takedown_at = models.DateTimeField(_("take down at"), null=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    title = models.TextField(_("title"), blank=True)
    original_title = models.TextField(_("original title"), blank=True)
    lead = models.TextField(_("lead"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    tags = models.TextField(_("tags"), blank=True)
    source_name = models.TextField(_("source name"), blank=True)
    body = models.TextField(_("body"), blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    rank_vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    objects = ArticleSearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        # Broad queries list their matches newest first by walking this index (articles.search).
        indexes = [models.Index(fields=["status", "publish_at"], name="search_entry_published_idx")]

    def __str__(self):
        return self.title
