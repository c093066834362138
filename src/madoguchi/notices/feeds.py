"""RSS 2.0 and Atom per topic (Django's syndication framework): no account needed."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Notice, Topic


class TopicRss(Feed):
    """``/notices/feed/<slug>/rss.xml`` — public (anyone): the topic's 30 newest sent notices."""

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"川崎市 お知らせ: {obj.name}"

    def link(self, obj):
        return reverse("notices:topic", args=[obj.slug])

    def description(self, obj):
        return obj.description or f"「{obj.name}」のお知らせ"

    def items(self, obj):
        return Notice.objects.filter(topic=obj, state__in=[Notice.State.QUEUED, Notice.State.DONE]) \
            .order_by("-queued_at")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return item.link or reverse("notices:detail", args=[item.pk])

    def item_guid(self, item):
        return f"notice-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.queued_at or item.created


class TopicAtom(TopicRss):
    """``/notices/feed/<slug>/atom.xml`` — public (anyone)."""

    feed_type = Atom1Feed
    subtitle = TopicRss.description
