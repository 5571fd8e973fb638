"""Every state change of accounts, workspaces, channels and tokens; and the permission checks."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from breakwater.connectors.base import (
    SERVER_CONFIG,
    Connector,
    ConnectorError,
    OAuthStart,
    get_connector_class,
)
from breakwater.core import crypto, events
from breakwater.core.errors import Forbidden, Invalid, NotFound
from breakwater.core.models import (
    ApiToken,
    AuditLog,
    Channel,
    ChannelStatus,
    Membership,
    Role,
    User,
    WorkerHeartbeat,
    Workspace,
    hash_token,
)

M = TypeVar("M")

# Higher ranks may do everything lower ones may.
RANK = {Role.VIEWER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3, Role.OWNER: 4}


def check_role(member: Membership, needed: Role) -> None:
    if RANK[Role(member.role)] < RANK[needed]:
        raise Forbidden(
            f"this needs the {needed.label} role or higher; you are {Role(member.role).label}"
        )


def audit(member: Membership | None, workspace_id: int, action: str, target: Any = None,
          **data: Any) -> None:
    # Automatic changes act through an unsaved membership with no user, which names what
    # acted (``{"rule": 3}``, see automation/engine.py).
    data = {**getattr(member, "acting", {}), **data}
    AuditLog.objects.create(
        workspace_id=workspace_id,
        actor_id=member.user_id if member else None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "pk", None),
        data=data,
    )


def access_membership(user: User, workspace_id: int | None = None) -> Membership:
    """The user's membership in ``workspace_id``, or in their first workspace when not given."""
    qs = Membership.objects.select_related("workspace", "user").filter(user=user)
    if workspace_id is not None:
        qs = qs.filter(workspace_id=workspace_id)
    member = qs.order_by("id").first()
    if member is None:
        raise NotFound("you are not a member of that workspace")
    return member


def access_token(raw: str) -> Membership | None:
    """The membership behind a bearer token, or None. Marks the token used (at most once a minute)."""
    token = (
        ApiToken.objects.select_related("membership__workspace", "membership__user")
        .filter(key_hash=hash_token(raw), membership__user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership


def do_create_workspace(name: str, slug: str | None = None) -> Workspace:
    slug = slugify(slug or name)[:100] or "workspace"
    return Workspace.objects.create(name=name, slug=slug)


@transaction.atomic
def do_create_user(email: str, password: str, workspace_slug: str, role: str = Role.AGENT,
                   name: str = "") -> Membership:
    """Create (or update) a user and their membership; creates the workspace if missing."""
    if role not in Role.values:
        raise Invalid(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    if not password or len(password) < 8:
        raise Invalid("the password needs at least 8 characters")
    workspace = Workspace.objects.filter(slug=slugify(workspace_slug)).first()
    if workspace is None:
        workspace = do_create_workspace(workspace_slug)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=name)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    member, _ = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    audit(None, workspace.pk, "member.created", member, email=user.email, role=role)
    return member


def do_create_token(member: Membership, name: str = "cli") -> str:
    """Create an API token; the raw token is returned once and never stored."""
    raw = ApiToken.generate()
    ApiToken.objects.create(membership=member, name=name, prefix=raw[:10], key_hash=hash_token(raw))
    audit(member, member.workspace_id, "token.created", member, name=name)
    return raw


def _checked_config(connector_cls: type[Connector], config: dict[str, Any]) -> dict[str, Any]:
    """Validate a channel's settings, fill the generated ones, and sign in with them:
    a refused password is an ``Invalid`` carrying the server's own words."""
    # What the server said about itself last time is asked again, never taken from the input.
    config = {k: v for k, v in config.items() if k != SERVER_CONFIG}
    try:
        cleaned = connector_cls.validate_config(config)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    for key, value in connector_cls.generated_config().items():
        if not cleaned.get(key):
            cleaned[key] = value
    try:
        account = connector_cls(cleaned).test_connection()
    except ConnectorError as exc:
        raise Invalid(f"{connector_cls.label} refused the connection: {exc.message}") from None
    if account is not None and account.server:
        cleaned[SERVER_CONFIG] = dict(account.server)
    return cleaned


def _store_config(channel: Channel, connector_cls: type[Connector], cleaned: dict[str, Any]) -> None:
    sensitive = connector_cls.sensitive_parameters()
    channel.config = {k: v for k, v in cleaned.items() if k not in sensitive}
    private = {k: v for k, v in cleaned.items() if k in sensitive}
    channel.secrets_encrypted = crypto.encrypt_json(private) if private else ""


def _connected(channel: Channel) -> None:
    # The sync engine (ingest/sync.py) starts polling, from the saved cursor if there is one.
    events.handle("channel.connected", channel_id=channel.pk)


def do_create_channel(member: Membership, network: str, name: str,
                      config: dict[str, Any] | None = None) -> Channel:
    check_role(member, Role.ADMIN)
    if not name.strip():
        raise Invalid("a channel needs a name")
    try:
        connector_cls = get_connector_class(network)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    cleaned = _checked_config(connector_cls, dict(config or {}))
    channel = Channel(workspace_id=member.workspace_id, network=network, name=name.strip())
    _store_config(channel, connector_cls, cleaned)
    with transaction.atomic():
        channel.save()
        audit(member, member.workspace_id, "channel.created", channel, network=network)
        _connected(channel)
    return channel


def _oauth_connector(member: Membership, network: str) -> type[Connector]:
    check_role(member, Role.ADMIN)
    try:
        connector_cls = get_connector_class(network)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    if not connector_cls.can_oauth():
        raise Invalid(f"{connector_cls.label} has no sign-in on the network: fill in its settings")
    return connector_cls


def _oauth_channel(member: Membership, channel_id: int, connector_cls: type[Connector]) -> Channel:
    channel = access_channel(member, channel_id)
    if channel.network != connector_cls.key:
        raise Invalid(f"channel {channel_id} is not a {connector_cls.label} channel")
    return channel


def start_channel_oauth(member: Membership, network: str, config: dict[str, Any],
                        redirect_uri: str, state: str, channel_id: int | None = None) -> OAuthStart:
    """The first half of connecting by OAuth: where to send the admin to grant access. Nothing
    is stored here; the interface keeps ``pending`` (encrypted) until the network calls back.
    To reconnect ``channel_id``, its saved settings fill in what ``config`` leaves out."""
    connector_cls = _oauth_connector(member, network)
    if channel_id is not None:
        channel = _oauth_channel(member, channel_id, connector_cls)
        config = {**channel.config, **config}
    wanted = {k: v for k, v in config.items() if k in connector_cls.oauth_parameters}
    try:
        return connector_cls.oauth_start(wanted, redirect_uri, state)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    except ConnectorError as exc:
        raise Invalid(f"{connector_cls.label} refused the sign-in: {exc.message}") from None


def do_finish_channel_oauth(member: Membership, network: str, name: str, pending: dict[str, Any],
                            code: str, redirect_uri: str, channel_id: int | None = None) -> Channel:
    """The second half: the network's code becomes credentials, tested and stored like typed
    ones; with ``channel_id`` they reconnect that channel (from its saved cursor)."""
    connector_cls = _oauth_connector(member, network)
    try:
        config = connector_cls.oauth_finish(pending, code, redirect_uri)
    except ConnectorError as exc:
        raise Invalid(f"{connector_cls.label} refused the sign-in: {exc.message}") from None
    if channel_id is not None:
        _oauth_channel(member, channel_id, connector_cls)
        return do_reconnect_channel(member, channel_id, config)
    return do_create_channel(member, network, name, config)


def in_workspace(member: Membership, model: type[M], pk: int, what: str, *, lock: bool = False,
                 hint: str = "") -> M:
    """Row ``pk`` of ``model`` in the member's workspace; a foreign or missing one is
    ``NotFound`` ("<what> <pk> not found", then ``hint``: what to do)."""
    qs = model.objects.filter(pk=pk, workspace_id=member.workspace_id)  # type: ignore[attr-defined]
    if lock:
        qs = qs.select_for_update()
    found = qs.first()
    if found is None:
        raise NotFound(f"{what} {pk} not found" + (f"; {hint}" if hint else ""))
    return found


def access_channel(member: Membership, channel_id: int) -> Channel:
    return in_workspace(member, Channel, channel_id, "channel")


def do_set_channel_status(member: Membership, channel: Channel, status: str,
                          detail: str = "") -> None:
    check_role(member, Role.ADMIN)
    if status not in ChannelStatus.values:
        raise Invalid(f"unknown status {status!r}")
    channel.status, channel.status_detail = status, detail
    channel.save(update_fields=["status", "status_detail"])
    audit(member, channel.workspace_id, "channel.status", channel, status=status)


def do_pause_channel(member: Membership, channel_id: int) -> Channel:
    """Stop syncing and sending for now; nothing is lost, resume picks up from the cursor."""
    channel = access_channel(member, channel_id)
    if channel.status == ChannelStatus.DISCONNECTED:
        raise Invalid("this channel is disconnected: reconnect it instead")
    do_set_channel_status(member, channel, ChannelStatus.PAUSED)
    return channel


def do_resume_channel(member: Membership, channel_id: int) -> Channel:
    channel = access_channel(member, channel_id)
    if channel.status != ChannelStatus.PAUSED:
        raise Invalid(f"only a paused channel can be resumed; this one is {channel.status}")
    with transaction.atomic():
        do_set_channel_status(member, channel, ChannelStatus.ACTIVE)
        _connected(channel)
    return channel


def do_disconnect_channel(member: Membership, channel_id: int) -> Channel:
    """Forget the credentials and stop; every conversation and message stays."""
    channel = access_channel(member, channel_id)
    check_role(member, Role.ADMIN)
    channel.secrets_encrypted = ""
    channel.status, channel.status_detail = ChannelStatus.DISCONNECTED, ""
    channel.save(update_fields=["secrets_encrypted", "status", "status_detail"])
    audit(member, channel.workspace_id, "channel.disconnected", channel)
    return channel


def do_reconnect_channel(member: Membership, channel_id: int,
                         config: dict[str, Any] | None = None) -> Channel:
    """New credentials (or the same ones again after fixing them on the server): tested,
    stored, and the sync resumes from the saved cursor, so nothing comes twice."""
    channel = access_channel(member, channel_id)
    check_role(member, Role.ADMIN)
    connector_cls = get_connector_class(channel.network)
    merged = {**channel_config(channel), **(config or {})}
    cleaned = _checked_config(connector_cls, merged)
    _store_config(channel, connector_cls, cleaned)
    channel.status, channel.status_detail = ChannelStatus.ACTIVE, ""
    with transaction.atomic():
        channel.save(update_fields=["config", "secrets_encrypted", "status", "status_detail"])
        audit(member, channel.workspace_id, "channel.reconnected", channel)
        _connected(channel)
    return channel


def channel_config(channel: Channel) -> dict[str, Any]:
    """The channel's full config with its secrets decrypted, for the connector alone."""
    private = crypto.decrypt_json(channel.secrets_encrypted) if channel.secrets_encrypted else {}
    return {**channel.config, **private}


def do_mark_channel_broken(channel: Channel, detail: str) -> None:
    """A connector said a permanent no: show it on the channel (no actor: the system did it)."""
    Channel.objects.filter(pk=channel.pk).update(
        status=ChannelStatus.NEEDS_ATTENTION, status_detail=detail[:2000]
    )


def do_heartbeat(name: str) -> None:
    try:
        WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    except IntegrityError:
        # Two threads of one worker raced on the first beat; the other one won.
        pass
