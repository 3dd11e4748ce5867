"""The PDF render worker: a long-lived child process that turns HTML into PDF with WeasyPrint.

Started by `app.recaps.render` as `python -m app.recaps.pdf_worker FD ROOT...`, it talks over
the socket FD (a `multiprocessing.connection.Connection`): it receives `(html, base_url)`
and answers `("ok", pdf_bytes, page_count)` or `("error", message, 0)`. It imports nothing
of the app, so the process holds WeasyPrint and little else, and it keeps ONE
`FontConfiguration` for its whole life: a fresh one per render leaks memory in WeasyPrint.

Only `data:` URLs and files under the ROOT folders are ever read: a recap never makes the
renderer fetch anything from the network.
"""

import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.request import url2pathname


def make_url_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and local files under `roots` only."""
    from weasyprint.urls import URLFetcher

    resolved = [root.resolve() for root in roots]

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(url2pathname(url.split("?", 1)[0].removeprefix("file:"))).resolve()
                if not any(path.is_relative_to(root) for root in resolved):
                    raise ValueError(f"refused a local file outside the allowed folders: {url}")
            elif scheme != "data":
                raise ValueError(f"refused to fetch {url[:80]!r}: only data: URLs are allowed")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def serve(connection: Connection, roots: list[Path]) -> None:
    """Answer render requests until the connection closes."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_url_fetcher(roots)
    fonts = FontConfiguration()
    while True:
        try:
            html, base_url = connection.recv()
        except (EOFError, OSError):
            return
        try:
            page = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            document = page.render(font_config=fonts)
            reply: tuple[str, Any, int] = ("ok", document.write_pdf(), len(document.pages))
        except Exception as exc:  # report any failure to the caller; the worker lives on
            reply = ("error", f"{type(exc).__name__}: {exc}", 0)
        connection.send(reply)


def main(argv: list[str]) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the parent decides when we stop
    # (it closes the socket, and recv() ends the loop).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, *roots = argv
    serve(Connection(int(fd)), [Path(root) for root in roots])


if __name__ == "__main__":
    main(sys.argv[1:])
