"""The team inbox: contacts and identities, conversations, messages, notes and tags."""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakwater.core.models import Channel, Workspace


class Contact(models.Model):
    """A person or organisation, with one identity per network; merged contacts point onward."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or f"contact #{self.pk}"


class Identity(models.Model):
    """A contact's account on one network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="identities")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    handle = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    avatar_url = models.URLField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="identity_unique"
            )
        ]
        indexes = [models.Index(fields=["contact"], name="identity_contact")]

    def __str__(self) -> str:
        return f"{self.handle or self.name or self.external_id} ({self.network})"


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class Priority(models.IntegerChoices):
    NONE = 0, _("None")
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Kind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    AD_COMMENT = "ad_comment", _("Ad comment")
    MENTION = "mention", _("Mention")
    DM = "dm", _("Direct message")
    REVIEW = "review", _("Review")
    POST = "post", _("Post")
    REPLY = "reply", _("Reply")


class Sentiment(models.TextChoices):
    """What ``analysis.score_sentiment`` answers; "" until the worker has scored a message."""

    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Tag(models.Model):
    """A workspace's label for conversations."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=64)
    color = models.CharField(max_length=16, default="#64748b")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique")]

    def __str__(self) -> str:
        return self.name


class ConversationQuerySet(models.QuerySet):
    def refresh_analysis(self, conversation_ids: Iterable[int]) -> int:
        """Language, sentiment and spam of the conversations again from their messages.

        For writers that change a message's analysis after ingest (the worker's sentiment, a
        person's correction); ingest folds its own batch in memory.
        """
        ids = list(conversation_ids)
        if not ids:
            return 0
        inbound = Message.objects.filter(conversation_id=OuterRef("pk"), direction=Direction.IN)
        newest = inbound.order_by("-created_at", "-id")
        return self.filter(pk__in=ids).update(
            language=Coalesce(Subquery(newest.values("language")[:1]), Value("")),
            sentiment=Coalesce(Subquery(newest.values("sentiment")[:1]), Value("")),
            is_spam=Exists(inbound) & ~Exists(inbound.filter(is_spam=False)),
        )


class Conversation(models.Model):
    """A thread of messages that the team handles as one piece of work.

    ``last_activity_at`` and the other aggregates are kept up to date by ingest and the
    actions, so the inbox list reads one row per conversation and never touches messages.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=32)
    thread_key = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    tags = models.ManyToManyField(Tag, through="ConversationTag", related_name="conversations")
    preview = models.CharField(max_length=280, blank=True)
    message_count = models.IntegerField(default=0)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # When the next response is due under the workspace's SLA (sla/), None when none is owed.
    response_due_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # From the newest inbound message (language on ingest, sentiment once the worker scored
    # it or a person corrected it), so the inbox filters read conversation rows alone.
    language = models.CharField(max_length=8, blank=True, default="")
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True, default="")
    # True while every inbound message is spam: one real message makes the thread real.
    is_spam = models.BooleanField(default=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "thread_key"], name="conversation_thread")
        ]
        # The inbox list walks these newest-first and stops after one page (keyset). Each
        # starts with the workspace every query filters on: the capped status counts then
        # read index entries alone, and the planner (SQLite keeps no statistics here) sees
        # the contact's and a channel's index as the narrower ones. `breakwater bench inbox`.
        indexes = [
            models.Index(
                fields=["workspace", "status", "-last_activity_at", "-id"], name="conv_ws_status"
            ),
            models.Index(
                fields=["workspace", "-last_activity_at", "-id"], name="conv_ws_activity"
            ),
            models.Index(
                fields=["workspace", "channel", "status", "-last_activity_at", "-id"],
                name="conv_channel_status",
            ),
            models.Index(
                fields=["workspace", "assignee", "status", "-last_activity_at", "-id"],
                name="conv_assignee",
            ),
            models.Index(fields=["workspace", "contact", "-last_activity_at"], name="conv_contact"),
            models.Index(fields=["workspace", "status", "response_due_at"], name="conv_due"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.preview[:40]}"


class ConversationTagQuerySet(models.QuerySet):
    def refresh_copies(self, conversation_ids: Iterable[int]) -> int:
        """Copy status and last activity from the conversations onto their tag links.

        Whoever changes a conversation's ``status`` or ``last_activity_at`` calls this in the
        same transaction (the inbox actions' ``_touch``, ingest's aggregate update).
        """
        ids = list(conversation_ids)
        if not ids:
            return 0
        conv = Conversation.objects.filter(pk=OuterRef("conversation_id"))
        return self.filter(conversation_id__in=ids).update(
            status=Subquery(conv.values("status")[:1]),
            last_activity_at=Subquery(conv.values("last_activity_at")[:1]),
        )


class ConversationTag(models.Model):
    """A tag on a conversation, with a copy of the conversation's status and last activity.

    The copy lets a tag filter walk one index newest-first and stop after a page, like the
    other filters: with the tag only on this table, the list either walked every open
    conversation to find a rare tag or sorted every conversation of a common one (p95 over
    100 ms at a million messages, ``breakwater bench inbox``).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="tag_links"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConversationTagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "tag"], name="conversation_tag_unique")
        ]
        indexes = [
            models.Index(
                fields=["tag", "status", "-last_activity_at", "-conversation"], name="ctag_status"
            ),
            models.Index(fields=["tag", "-last_activity_at", "-conversation"], name="ctag_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}:{self.tag_id}"


class Direction(models.TextChoices):
    IN = "in", _("Inbound")
    OUT = "out", _("Outbound")


class DeliveryState(models.TextChoices):
    """Where an outbound message is; inbound ones are always ``received``."""

    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown")
    NEEDS_APPROVAL = "needs_approval", _("Needs approval")
    BLOCKED = "blocked", _("Blocked")


class Message(models.Model):
    """One item in a conversation: inbound from the network or outbound from the brand."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.IN)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent_external_id = models.CharField(max_length=255, blank=True, default="")
    author = models.ForeignKey(
        Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, default="")
    media = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    delivery_state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.RECEIVED
    )
    delivery_error = models.TextField(blank=True, default="")
    # Filled by analysis/ inline on ingest (see ingest/enrich.py); "und": undetermined.
    language = models.CharField(max_length=8, blank=True, default="")
    language_confidence = models.FloatField(null=True, blank=True)
    # Filled by the worker within seconds of ingest (inbound messages only); "" until then.
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True, default="")
    sentiment_score = models.FloatField(null=True, blank=True)
    is_spam = models.BooleanField(default=False)
    spam_reasons = models.JSONField(default=list, blank=True)
    is_abusive = models.BooleanField(default=False)
    abuse_reasons = models.JSONField(default=list, blank=True)
    # Base forms and two-word phrases for trends (``analysis.keywords``).
    keywords = models.JSONField(default=list, blank=True)
    # Space-joined ``analysis.lemmas.lemmas(text, language)``: what full-text search indexes
    # beside ``text`` (SQLite FTS5 table / PostgreSQL tsvector, see inbox/search.py).
    search_text = models.TextField(blank=True, default="")
    # What people changed by hand, kept as labelled examples for evaluation:
    # {"sentiment": {"from": "neutral", "to": "negative", "by": user id, "at": iso time}}.
    analysis_correction = models.JSONField(default=dict, blank=True)
    # What the brand did to this item on the network, as the outbox reports it:
    # {"hidden": {"value": true, "status": "sent", "error": ""}, "liked": {...}}.
    network_actions = models.JSONField(default=dict, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="message_external")
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="msg_conversation"),
            models.Index(fields=["author", "-created_at"], name="msg_author"),
            # Reports (reports/metrics, `breakwater bench reports`) read a workspace's
            # inbound or outbound messages of a period, and the response waits walk the
            # messages of those conversations in order: both from the index alone. The
            # first carries what the volume and sentiment figures count by (and the
            # channel and network filters): without, PostgreSQL read the whole table for
            # 90 days of them (a third of it in messages that scatter over all its pages).
            models.Index(
                fields=["workspace", "direction", "created_at", "is_spam", "conversation",
                        "channel", "kind", "network", "sentiment"],
                name="msg_ws_report",
            ),
            models.Index(
                fields=["conversation", "created_at", "id", "direction", "is_spam",
                        "delivery_state", "sent_by"],
                name="msg_conv_report",
            ),
            # Top questions (reports/metrics/content.py) reads a period's inbound questions:
            # only they are indexed (on PostgreSQL the period's messages scatter over the
            # whole table, and reading each to test its text was most of the figure's time).
            models.Index(
                fields=["workspace", "created_at", "conversation", "channel", "network"],
                condition=Q(direction="in", is_spam=False, text__contains="?"),
                name="msg_questions",
            ),
            # The worker's queue of inbound messages still to score: only they are indexed.
            models.Index(
                fields=["id"], condition=Q(direction="in", sentiment=""), name="msg_unscored"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class Note(models.Model):
    """An internal note on a conversation. Never sent to any network."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    mentions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_conversation")]

    def __str__(self) -> str:
        return f"note #{self.pk}"
