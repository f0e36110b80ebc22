"""The documentation link a report gives for a rule: the policy's ``url`` from the pack's
metadata (GetAnalyzerInfo), kept only when it is an absolute http(s) URL, since a viewer opens
it as a link and a pack is free to send anything."""

from __future__ import annotations

from urllib.parse import urlsplit

_UNSAFE = {" ": "%20", '"': "%22", "<": "%3C", ">": "%3E", "(": "%28", ")": "%29", "`": "%60", "\\": "%5C"}


def web_url(url: str) -> str | None:
    """``url`` with the characters that would end a Markdown or HTML link percent-encoded, or
    None when it is not an absolute http(s) URL (or holds a control character)."""
    url = url.strip()
    if not url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(_UNSAFE.get(c, c) for c in url)
