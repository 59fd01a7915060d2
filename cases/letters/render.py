"""HTML -> PDF with WeasyPrint, behind a URL fetcher that loads nothing from outside.

A letter holds text that users typed. Templates escape it, so it can never become markup; this
module is the second wall: whatever markup reaches WeasyPrint, the only resources it may load
are `data:` URLs inside the document itself. No `file:` URL can read the server's disk, no
`http:` URL can reach the network or the machine's own services (SSRF). Fonts are the system's
DejaVu families, found by Pango through fontconfig by family name: they never pass through the
fetcher.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

# WeasyPrint logs every step of every render (and its own import) at INFO: noise in a worker.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

# Relative references resolve against this and stay unfetchable (it is not a data: URL).
BASE_URL = "about:blank"
# The layout of every letter (A4, margins, blocks, footer); see `_letter_stylesheet`.
LETTER_CSS = Path(__file__).resolve().parents[2] / "templates" / "letters" / "letter.css"


class ResourceRefused(ValueError):
    """A letter asked for a resource outside the document; WeasyPrint logs it and skips it."""


class DataOnlyURLFetcher(URLFetcher):
    """Serves `data:` URLs and refuses everything else (file:, http:, https:, ftp: ...).

    WeasyPrint 70 wants an instance of a `URLFetcher` subclass (a plain function no longer
    works). An exception raised here is caught by WeasyPrint, which logs it and renders the
    document without that image or stylesheet.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            raise ResourceRefused(f"letters load no external resources: {url[:200]}")
        return super().fetch(url, headers)


# WeasyPrint matches every element against its full HTML5 user-agent stylesheet (tables, forms,
# dir= and many more rules). Letters use a handful of plain elements, so this short one gives
# them the same defaults and saves about a tenth of a complaint's render time. Everything else
# is set by templates/letters/letter.css.
LETTER_UA_STYLESHEET = CSS(
    string="""
    head, style, title, meta, link, script, template, [hidden] { display: none }
    html, body, address, article, aside, blockquote, div, footer, h1, h2, h3, h4, header,
    ol, p, section, ul { display: block }
    li { display: list-item }
    b, strong, h1, h2, h3, h4 { font-weight: bold }
    em, i, address { font-style: italic }
    ol { list-style-type: decimal }
    ul { list-style-type: disc }
    br::before { content: "\\A"; white-space: pre-line }
    ::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }
    """
)


class LetterHTML(HTML):
    """An HTML document laid out with `LETTER_UA_STYLESHEET` instead of WeasyPrint's own.

    `_ua_stylesheets` is WeasyPrint's (private) hook for the user-agent stylesheet; the version
    is pinned and tests/test_letters.py checks the hook still exists and is used.
    """

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [LETTER_UA_STYLESHEET]


@lru_cache(maxsize=1)
def _letter_stylesheet() -> CSS:
    # Parsed once per process: parsing and compiling the selectors on every letter costs about
    # a twentieth of a complaint's render time.
    return CSS(
        filename=str(LETTER_CSS),
        base_url=BASE_URL,
        url_fetcher=DataOnlyURLFetcher(),
    )


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    # Building a FontConfiguration costs a fontconfig set-up; one per process is enough, as
    # letters declare no @font-face of their own.
    return FontConfiguration()


def render_pdf(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes with the letters' stylesheet, loading
    nothing from outside it."""
    document = LetterHTML(string=html, base_url=BASE_URL, url_fetcher=DataOnlyURLFetcher())
    return document.write_pdf(font_config=_font_config(), stylesheets=[_letter_stylesheet()])


# --- Text ------------------------------------------------------------------------------------

# Blocks that stand apart (a blank line around them) and blocks that only start a new line.
_PARAGRAPHS = frozenset(
    {"address", "article", "blockquote", "dl", "footer", "h1", "h2", "h3", "h4", "header"}
    | {"hr", "ol", "p", "section", "table", "ul"}
)
_LINES = frozenset({"aside", "dd", "div", "dt", "li", "tr"})
_SKIPPED = frozenset({"head", "style", "script", "title", "template"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th") or (tag == "div" and "value" in (dict(attrs).get("class") or "")):
            self.parts.append("  ")  # a cell, or the value beside its label: same line
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in _LINES:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The words of a letter as plain text, one paragraph per block, for search and preview."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
