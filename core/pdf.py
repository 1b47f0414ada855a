"""Printable documents as PDF: WeasyPrint renders the same Jinja markup as the HTML view (DESIGN.md §1).

``render(template, **ctx)`` renders ``template`` (a page extending ``_print/document.html``) and lays it out
on A4 with ``static/css/document.css``: the embedded Unicode font shipped in ``static/fonts/`` (Inter, SIL
Open Font License), the running footer with "page x of y". Nothing is fetched from the network: the only
resources a document may load are files under ``static/``.
"""

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, make_response, render_template
from flask_babel import gettext as _

STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC / "css" / "document.css"


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):
        """Files under static/ only: no network, no other file of the machine."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or STATIC not in path.parents:
                raise ValueError(f"recurso no permitido en un documento: {url[:80]}")
            return super().fetch(url, headers)

    return StaticOnly(allowed_protocols=("file",))


def page_counter() -> str:
    """The CSS ``content`` of the footer's "Página 2 de 3", in the reader's language."""
    label = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02").replace('"', "").replace("\\", "")
    return '"' + label.replace("\x01", '" counter(page) "').replace("\x02", '" counter(pages) "') + '"'


def document_html(template: str, **ctx) -> str:
    """The markup a PDF is made from (the firm's identity added to ``ctx``)."""
    config = current_app.config
    ctx.setdefault("firm", {"name": config["FIRM_NAME"], "nit": config.get("FIRM_NIT", ""),
                            "address": config.get("FIRM_ADDRESS", "")})
    return render_template(template, **ctx)


def to_pdf(html: str, extra_css=()) -> bytes:
    """The PDF of ``html`` with the document stylesheet, the footer's page counter and ``extra_css`` (CSS text a
    document adds, e.g. the page counter in its own header: CSS is never written from a template)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    fetcher = _fetcher()
    stylesheets = [CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher),
                   CSS(string=f"@page {{ @bottom-right {{ content: {page_counter()}; }} }}", font_config=fonts),
                   *(CSS(string=css, font_config=fonts) for css in extra_css)]
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)


def render(template: str, extra_css=(), **ctx) -> bytes:
    return to_pdf(document_html(template, **ctx), extra_css)


def download(body: bytes, filename: str):
    """A PDF answered as a download named ``filename``."""
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
