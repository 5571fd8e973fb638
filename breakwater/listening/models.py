"""Listening: topics (queries), where public posts come from (sources), the posts that match
(mentions), and the alerts raised on them."""

from django.db import models
from django.utils.timezone import now

from breakwater.core.models import Channel, User, Workspace


class TopicGroup(models.TextChoices):
    BRAND = "brand", "Our brand"
    COMPETITOR = "competitor", "Competitor"


class Topic(models.Model):
    """A listening topic: a query in the listening query language (``listening/query.py``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    query = models.TextField()
    group = models.CharField(max_length=16, choices=TopicGroup.choices, default=TopicGroup.BRAND)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="topic_name_unique")
        ]
        indexes = [models.Index(fields=["workspace", "active"], name="topic_ws_active")]

    def __str__(self) -> str:
        return self.name


class TopicsVersion(models.Model):
    """A counter per workspace that every topic change bumps: each process keeps the
    workspace's compiled matcher until the counter moves (one indexed read per batch).
    ``token`` is new at every bump, so a bump that was rolled back and a later one that
    committed never look alike to a process that cached the first."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"topics v{self.version} of {self.workspace_id}"


class SourceKind(models.TextChoices):
    FEED = "feed", "RSS / Atom feed"
    SEARCH = "search", "Connector search"
    STREAM = "stream", "Connector stream (firehose)"


class Source(models.Model):
    """Where public posts are read from: a news feed (read with the RSS connector), or a
    search on a channel whose connector declares ``LISTEN_SEARCH`` (Bluesky, Mastodon), or the
    public stream of a channel whose connector declares ``LISTEN_STREAM`` (Bluesky's firehose:
    always ``dedicated``, read by ``breakwater listen``; its cursor is the stream's)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    query = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    # Read by its own ``breakwater listen --source ID`` process(es), not by the worker.
    dedicated = models.BooleanField(default=False)
    poll_seconds = models.PositiveIntegerField(default=300)
    cursor = models.TextField(blank=True)
    # Each ``breakwater listen --partition i/n`` consumer's own cursor, by "i/n".
    partition_cursors = models.JSONField(default=dict, blank=True)
    next_poll_at = models.DateTimeField(default=now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    items_seen = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["active", "next_poll_at"], name="source_due")]

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    """A public post about something a topic follows, from a source or from the inbox.

    ``url_key`` and ``text_key`` deduplicate across sources: the same link, or a text that
    is the same after normalising (case, links, punctuation, spacing) is one mention."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    message_id = models.BigIntegerField(null=True, blank=True)  # the inbox message it came from
    network = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    url = models.CharField(max_length=1000, blank=True)
    author = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    # What the matcher read (its index terms, the source's name), so that a dry run over
    # stored mentions matches exactly as live listening did.
    search_text = models.TextField(blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    keywords = models.JSONField(default=list)
    reach = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(default=now)
    url_key = models.CharField(max_length=64, blank=True)
    text_key = models.CharField(max_length=64)
    conversation_id = models.BigIntegerField(null=True, blank=True)  # sent to the inbox
    topics = models.ManyToManyField(Topic, through="TopicMention", related_name="mentions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "text_key"], name="mention_text_unique"),
        ]
        indexes = [
            models.Index(fields=["workspace", "url_key"], name="mention_url"),
            models.Index(fields=["workspace", "created_at"], name="mention_ws_time"),
            models.Index(fields=["source", "received_at"], name="mention_source_time"),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class TopicMention(models.Model):
    """A mention matched by a topic; the mention's time and sentiment are copied here so that
    volume and sentiment series are one indexed aggregate over this table."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="links")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField()
    sentiment = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "mention"], name="topicmention_unique")
        ]
        indexes = [models.Index(fields=["topic", "created_at"], name="topicmention_time")]

    def __str__(self) -> str:
        return f"topic {self.topic_id} mention {self.mention_id}"


class AlertKind(models.TextChoices):
    SPIKE = "spike", "Volume spike"
    NEGATIVE = "negative", "Negative sentiment surge"
    REACH = "reach", "High-reach mention"


class Alert(models.Model):
    """Something worth a look, shown in the app and sent to every alert destination once.
    ``key`` names the event (a spike's topic and start hour, a mention), so one event is one
    alert; a quiet period per topic and kind keeps a long spike from repeating."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="alert_key_unique")]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="alert_ws_time")]

    def __str__(self) -> str:
        return self.title


class AlertDestinationKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class AlertDestination(models.Model):
    """Where alerts go besides the app: an email address, or a webhook signed with
    ``secret`` (``X-Breakwater-Signature: sha256=<hex HMAC of the body>``)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=AlertDestinationKind.choices)
    address = models.CharField(max_length=1000)
    secret = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.kind} {self.address}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class AlertDelivery(models.Model):
    """One alert to one destination: queued, then sent, or failed after retries."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(AlertDestination, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "destination"], name="alertdelivery_unique")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alertdelivery_due")]

    def __str__(self) -> str:
        return f"alert {self.alert_id} -> {self.destination_id}: {self.status}"
