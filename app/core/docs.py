"""The Swagger UI page, served with the offline assets of fastapi-offline.

fastapi-offline's own page cannot be styled and drops `swagger_ui_init_oauth`; this one
is the same page plus a style sheet. Swagger UI has no option to hide the OAuth2 client
fields (client_id, client_secret, their location) of the password flow, and this API has
no OAuth2 clients nor scopes: the Authorize dialog asks for the username (CPF) and
password only.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"

# The first rules hide the row (the label's parent) of each client field of the password
# flow; the last the explanation of OAuth2 scopes, which this API does not have.
HIDE_CLIENT_FIELDS = """<style>
.auth-container :has(> label[for="password_type"]),
.auth-container :has(> label[for="client_id_password"]),
.auth-container :has(> label[for="client_secret_password"]),
.scope-def { display: none; }
</style>
"""


def install_swagger_ui(app: FastAPI, *, static_url: str) -> None:
    """Serve Swagger UI at /docs (and its OAuth2 redirect page) from `static_url` assets."""
    redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_URL}/oauth2-redirect"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect_url,
            swagger_js_url=f"{root}{static_url}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{static_url}/swagger-ui.css",
            swagger_favicon_url=f"{root}{static_url}/favicon.png",
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        html = bytes(page.body).decode().replace("</head>", f"{HIDE_CLIENT_FIELDS}</head>", 1)
        return HTMLResponse(html)

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
