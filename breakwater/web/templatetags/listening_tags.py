"""The top bar's count of unread listening alerts (the in-app notification)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_listening_alerts(context: Any) -> int:
    from breakwater.listening.queries import unread_alerts
    from breakwater.web.views import member_for

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    try:
        return unread_alerts(member_for(request))
    except Exception:  # noqa: BLE001 -- the top bar never breaks a page (no workspace: 404)
        return 0
