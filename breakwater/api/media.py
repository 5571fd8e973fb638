"""The media library over HTTP: upload, read, check against a network's rules, fix, serve."""

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from breakwater.media import actions, queries
from breakwater.media.models import MediaAsset

router = Router(tags=["media"])


class MediaOut(Schema):
    id: int
    kind: str
    format: str
    width: int | None
    height: int | None
    bytes: int
    has_alpha: bool
    animated: bool
    had_gps: bool = Field(description="whether the uploaded file carried GPS location "
                                      "metadata (fixed copies never do)")
    content_type: str
    name: str
    alt: str
    focal_point: list[float] | None
    sha256: str
    duration: float | None = Field(description="video seconds, when the container says")
    codec: str
    original: int | None = Field(description="the asset this copy was fixed from")
    fixed_for: str = Field(description='"network/placement" of a fixed copy')
    url: str
    created_at: datetime

    @staticmethod
    def resolve_focal_point(obj: MediaAsset) -> list[float] | None:
        return None if obj.focal_x is None else [obj.focal_x, obj.focal_y]

    @staticmethod
    def resolve_original(obj: MediaAsset) -> int | None:
        return obj.original_id

    @staticmethod
    def resolve_url(obj: MediaAsset) -> str:
        return reverse("api:media_file", args=[obj.pk])


class ProblemOut(Schema):
    code: str
    message: str


class CheckOut(Schema):
    ok: bool
    problems: list[ProblemOut]
    rule: dict[str, Any]


class FixIn(Schema):
    network: str = Field(description="e.g. instagram (GET /media-rules lists them)")
    placement: str = Field("feed", description="feed, story, reel, link ...")
    focal_point: list[float] | None = Field(
        None, description="[x, y] fractions 0..1 of the point to keep; default the asset's"
    )


class MediaUpdateIn(Schema):
    alt: str | None = None
    focal_point: list[float] | None = None


@router.get("/media", response=list[MediaOut], summary="List media, newest first")
def list_media(request: HttpRequest, originals: bool = False, original: int | None = None,
               limit: int = 50, before: int | None = None) -> Any:
    """`originals=true` leaves out fixed copies; `original=ID` lists the copies of one."""
    return queries.media_list(request.member, originals=originals, original=original,  # type: ignore[attr-defined]
                              limit=limit, before=before)


@router.post("/media", response={201: MediaOut}, summary="Upload an image or a video")
def upload_media(request: HttpRequest, file: UploadedFile = File(...),  # noqa: B008
                 alt: str = Form(""), focal_x: float | None = Form(None),  # noqa: B008
                 focal_y: float | None = Form(None)) -> Status[Any]:  # noqa: B008
    """Multipart: `file`, optional `alt`, `focal_x` and `focal_y` (fractions 0..1)."""
    data = file.read(actions.max_upload_bytes() + 1)
    focal = [focal_x, focal_y] if focal_x is not None and focal_y is not None else None
    return Status(201, actions.do_upload_media(request.member, data, file.name or "", alt, focal))  # type: ignore[attr-defined]


@router.get("/media-rules", response=list[dict[str, Any]], summary="Every network's media rules")
def media_rules(request: HttpRequest) -> Any:
    from breakwater.media import rules

    return [r.as_dict() for r in rules.RULES]


@router.get("/media/{int:media_id}", response=MediaOut, summary="One media asset")
def get_media(request: HttpRequest, media_id: int) -> Any:
    return queries.media_asset(request.member, media_id)  # type: ignore[attr-defined]


@router.patch("/media/{int:media_id}", response=MediaOut, summary="Set alt text or focal point")
def update_media(request: HttpRequest, media_id: int, body: MediaUpdateIn) -> Any:
    return actions.do_update_media(request.member, media_id, alt=body.alt,  # type: ignore[attr-defined]
                                   focal=body.focal_point)


@router.get("/media/{int:media_id}/check", response=CheckOut,
            summary="Check media against a network's rule for a placement")
def check_media(request: HttpRequest, media_id: int, network: str, placement: str = "feed"
                ) -> Any:
    return queries.check_media(request.member, media_id, network, placement).as_dict()  # type: ignore[attr-defined]


@router.post("/media/{int:media_id}/fix", response={201: MediaOut},
             summary="Make a copy that meets a network's rule (the original is kept)")
def fix_media(request: HttpRequest, media_id: int, body: FixIn) -> Status[Any]:
    return Status(201, actions.do_fix_media(request.member, media_id, body.network,  # type: ignore[attr-defined]
                                            body.placement, body.focal_point))


@router.get("/media/{int:media_id}/file", url_name="media_file", summary="The file's bytes")
def media_file(request: HttpRequest, media_id: int) -> FileResponse:
    asset = queries.media_asset(request.member, media_id)  # type: ignore[attr-defined]
    response = FileResponse(asset.file.open("rb"), content_type=asset.content_type)
    response["Content-Length"] = str(asset.bytes)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
