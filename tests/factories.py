"""Factories for every model; a test sets only the fields it is about."""

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from accounts.models import User
from articles.models import Article, Source
from discussions.models import Comment, Flag, Question, Vote

PASSWORD = "correct-horse-battery-staple"
# Hashing is slow on purpose; every factory user shares one hash of PASSWORD.
_PASSWORD_HASH = None


def _password_hash():
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.Sequence(lambda n: f"读者{n}")
    password = factory.LazyFunction(_password_hash)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"科技评论{n}")
    homepage = "https://publication.example/"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article, visible now, unless the test says otherwise."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"大语言模型的第{n}个冬天")
    lead = "一句话导语:研究者们在争论规模定律的尽头。"
    summary = "编辑摘要:这篇文章回顾了语言模型研究的几次转折。"
    body = "原文正文。The scaling debate continues, 研究者各执一词。"
    source = factory.SubFactory(SourceFactory)
    original_title = factory.LazyAttribute(lambda a: f"原题:{a.title}")
    original_author = "科技评论编辑部"
    original_url = factory.Sequence(lambda n: f"https://publication.example/articles/{n}")
    reprint_notice = "本文转载自科技评论,版权归原作者所有。"
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    article = factory.SubFactory(ArticleFactory)
    text = factory.Sequence(lambda n: f"第{n}个问题:你怎么看?")
    position = factory.Sequence(lambda n: n)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"评论{n}:我同意作者的看法。")
    status = Comment.Status.PUBLISHED


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    user = factory.SubFactory(UserFactory)
    comment = factory.SubFactory(CommentFactory)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    user = factory.SubFactory(UserFactory)
    comment = factory.SubFactory(CommentFactory)
    reason = Flag.Reason.SPAM


def tagged_drafts(count, names):
    """`count` drafts carrying the tags `names`, made in bulk: enough of them make the tags
    common ones for Article.objects.related_to()."""
    source = SourceFactory()
    drafts = Article.objects.bulk_create(
        Article(title=f"草稿{n}", slug=f"draft-{n}", source=source, status=Article.Status.DRAFT)
        for n in range(count)
    )
    tags = [Tag.objects.get_or_create(name=name)[0] for name in names]
    TaggedItem.objects.bulk_create(
        TaggedItem(content_object=draft, tag=tag) for draft in drafts for tag in tags
    )
