"""REST API v1: thin routers over the actions. Token auth, JSON errors, OpenAPI."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from breakwater.core.actions import access_token
from breakwater.core.errors import ActionError
from breakwater.core.models import Membership


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        member = access_token(token)
        if member is not None:
            request.member = member  # type: ignore[attr-defined]
        return member


api = NinjaAPI(
    title="Breakwater API",
    version="1",
    description=(
        "The team inbox over HTTP. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `breakwater token create --email you@example.com`). "
        'Errors are JSON: `{"error": "...", "detail": ...}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, error: str, detail: Any = None) -> HttpResponse:
    return api.create_response(request, {"error": error, "detail": detail}, status=status)


@api.exception_handler(ActionError)
def _action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, exc.detail)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "authentication required",
        "send Authorization: Bearer <token>; create a token with `breakwater token create`",
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query")),
         "message": e.get("msg", "")}
        for e in exc.errors
    ]
    first = problems[0] if problems else {"field": "", "message": "invalid input"}
    return error_response(request, 422, f"{first['field']}: {first['message']}", problems)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, str(exc))


def _register() -> None:
    from breakwater.api import (
        assignment,
        channels,
        composer,
        conversations,
        feedback,
        ingest,
        listening,
        media,
        messages,
        publishing,
        report_exports,
        reports,
        rules,
        sla,
    )

    api.add_router("/", ingest.router)
    api.add_router("/", conversations.router)
    api.add_router("/", messages.router)
    api.add_router("/", channels.router)
    api.add_router("/", sla.router)
    api.add_router("/", feedback.router)
    api.add_router("/", rules.router)
    api.add_router("/", assignment.router)
    api.add_router("/", composer.router)
    api.add_router("/", report_exports.router)
    api.add_router("/", reports.router)
    api.add_router("/", listening.router)
    api.add_router("/", publishing.router)
    api.add_router("/", media.router)


_register()
