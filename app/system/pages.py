"""The API's own documentation, for signed-in users (it maps every operation we hold)."""

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

router = APIRouter(include_in_schema=False)
CDN = "https://cdn.jsdelivr.net"


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs")
def docs() -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="Storyroom API")
    # Swagger UI comes from its CDN and starts with an inline script: allow exactly that
    # script (by its hash) and the CDN, for this page only.
    body = bytes(page.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in re.findall(r"<script>(.*?)</script>", body, flags=re.DOTALL)
    )
    page.headers["content-security-policy"] = (
        f"default-src 'self'; script-src 'self' {CDN} {hashes}; style-src 'self' {CDN}; "
        f"img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'"
    )
    return page
