"""Absolute links for what leaves Traza (emails, calendar feeds): the configured BASE_URL and the endpoint's path.

Built from the URL map alone, so a service makes the same link in a request, in a scheduled job or inside a
transaction (no request context is pushed, whose teardown would close the connection), and never from the
request's Host header (SECURITY.md PS4). BASE_URL carries any path prefix the proxy mounts Traza under.
"""

from urllib.parse import quote

from flask import current_app


def absolute(endpoint: str, **values) -> str:
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path + (f"#{quote(anchor, safe='-_')}" if anchor else "")
