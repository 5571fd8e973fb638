"""The media library pages: upload, thumbnails, each network's check, one-click fix with a
focal point, alt text. Thin: parse the form, call one action, say what happened."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from breakwater.core.actions import RANK
from breakwater.core.errors import ActionError, NotFound
from breakwater.core.models import Role
from breakwater.media import actions, queries, rules
from breakwater.web.views import member_for


def _can_edit(member: Any) -> bool:
    return RANK[Role(member.role)] >= RANK[Role.AGENT]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _focal(request: HttpRequest) -> list[float] | None:
    x, y = _float(request.POST.get("focal_x")), _float(request.POST.get("focal_y"))
    return [x, y] if x is not None and y is not None else None


@login_required
def library(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    context = {
        "member": member,
        "can_edit": _can_edit(member),
        "assets": queries.media_list(member, originals=True, limit=100),
        "max_upload_mb": actions.max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "web/media/library.html", context)


@login_required
def detail(request: HttpRequest, media_id: int) -> HttpResponse:
    member = member_for(request)
    try:
        asset = queries.media_asset(member, media_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    original = asset.original or asset
    results = queries.check_all(asset)
    chosen = request.GET.get("rule") or asset.fixed_for or "instagram/feed"
    context = {
        "member": member,
        "can_edit": _can_edit(member),
        "asset": asset,
        "original": original,
        "copies": queries.media_list(member, original=original.pk, limit=100),
        "results": results,
        "failing": sum(1 for r in results if not r.ok),
        "fix_rules": [r for r in rules.RULES if r.image == (asset.kind == "image") and r.image],
        "chosen": chosen,
        "focal_x": asset.focal_x if asset.focal_x is not None else 0.5,
        "focal_y": asset.focal_y if asset.focal_y is not None else 0.5,
    }
    return render(request, "web/media/detail.html", context)


@login_required
def file(request: HttpRequest, media_id: int) -> HttpResponse:
    try:
        asset = queries.media_asset(member_for(request), media_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    response = FileResponse(asset.file.open("rb"), content_type=asset.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@login_required
def thumb(request: HttpRequest, media_id: int) -> HttpResponse:
    try:
        asset = queries.media_asset(member_for(request), media_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    data = queries.thumbnail(asset)
    if data is None:
        raise Http404("no thumbnail for this kind of media")
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    member = member_for(request)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect("web:media")
    try:
        asset = actions.do_upload_media(
            member, uploaded.read(actions.max_upload_bytes() + 1), uploaded.name or "",
            request.POST.get("alt", ""),
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:media")
    messages.success(request, _("Uploaded."))
    return redirect("web:media_detail", asset.pk)


@login_required
@require_POST
def update(request: HttpRequest, media_id: int) -> HttpResponse:
    try:
        actions.do_update_media(member_for(request), media_id, alt=request.POST.get("alt"),
                                focal=_focal(request))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("web:media_detail", media_id)


@login_required
@require_POST
def fix(request: HttpRequest, media_id: int) -> HttpResponse:
    network, _sep, placement = (request.POST.get("rule") or "").partition("/")
    try:
        copy = actions.do_fix_media(member_for(request), media_id, network, placement,
                                    _focal(request))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("web:media_detail", media_id)
    done = _("Fixed copy made for %(network)s %(placement)s; the original is kept.")
    messages.success(request, done % {"network": rules.label(network), "placement": placement})
    return redirect("web:media_detail", copy.pk)
