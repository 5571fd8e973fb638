"""Every state change of accounts, workspaces, channels and tokens; and the permission checks."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from breakwater.connectors.base import get_connector_class
from breakwater.core import crypto
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


def do_create_channel(member: Membership, network: str, name: str,
                      config: dict[str, Any] | None = None) -> Channel:
    check_role(member, Role.ADMIN)
    try:
        connector_cls = get_connector_class(network)
        cleaned = connector_cls.validate_config(config or {})
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    if not name.strip():
        raise Invalid("a channel needs a name")
    sensitive = connector_cls.sensitive_parameters()
    public = {k: v for k, v in cleaned.items() if k not in sensitive}
    private = {k: v for k, v in cleaned.items() if k in sensitive}
    channel = Channel.objects.create(
        workspace_id=member.workspace_id,
        network=network,
        name=name.strip(),
        config=public,
        secrets_encrypted=crypto.encrypt_json(private) if private else "",
    )
    audit(member, member.workspace_id, "channel.created", channel, network=network)
    return channel


def do_set_channel_status(member: Membership, channel: Channel, status: str,
                          detail: str = "") -> None:
    check_role(member, Role.ADMIN)
    if status not in ChannelStatus.values:
        raise Invalid(f"unknown status {status!r}")
    channel.status, channel.status_detail = status, detail
    channel.save(update_fields=["status", "status_detail"])
    audit(member, channel.workspace_id, "channel.status", channel, status=status)


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
