"""File downloads for the interfaces (pages and API) alike."""

import io

from django.http import FileResponse


def download(name: str, content_type: str, data: bytes) -> FileResponse:
    """An HTTP answer that saves ``data`` as ``name``: always an attachment, never shown inline,
    so an HTML or SVG file from a stranger cannot run in Breakwater's pages."""
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name,
                        content_type=content_type)
