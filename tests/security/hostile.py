"""The hostile input corpus and the check that none of it became active content on a page.

Pages are parsed with Lexbor (selectolax), an implementation of the WHATWG parsing algorithm,
so malformed markup is read the way a browser reads it. A page is compared with a benign page
of the same kind: whatever executable thing the hostile page has that the benign one lacks
came from a payload.
"""

import json
import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

CORPUS = Path(__file__).parent / "payloads" / "xss.txt"
_SYMBOLS = {"␤": "\n", "␍": "\r", "␉": "\t"}


def load_payloads():
    payloads = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("## "):
            continue
        for symbol, character in _SYMBOLS.items():
            line = line.replace(symbol, character)
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()


def pack(payloads, max_length, separator=" "):
    """The payloads in as few strings of at most `max_length` characters as possible, in order;
    a payload longer than the limit is cut (the cut payload is still hostile)."""
    chunks, current = [], ""
    for payload in payloads:
        payload = payload[:max_length]
        if current and len(current) + len(separator) + len(payload) <= max_length:
            current += separator + payload
        else:
            if current:
                chunks.append(current)
            current = payload
    if current:
        chunks.append(current)
    return chunks


def collapsed(text):
    return " ".join(text.split())


# What can run: elements that execute or load active content, attributes that do, and URL
# schemes that do. Forms, inputs and buttons are ordinary on our pages; their URLs are checked.
ACTIVE_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "svg",
    "math", "template", "portal", "isindex", "keygen", "xml", "import", "set", "animate",
}  # fmt: skip
RISKY_LINK_RELS = {"stylesheet", "import", "preload", "modulepreload", "prefetch", "prerender", "manifest"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
    "lowsrc", "dynsrc", "ping", "codebase", "cite", "manifest", "icon", "longdesc", "usemap",
    "archive", "classid", "imagesrcset",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
_CSS_ACTIVE = re.compile(r"url\s*\(|expression\s*\(|behavior\s*:|-moz-binding|@import|javascript:", re.I)


def _dangerous_url(value):
    # Browsers drop ASCII whitespace and control characters anywhere in a scheme; entities
    # were decoded by the parser already.
    for part in value.split(","):
        normalized = _IGNORED_IN_URLS.sub("", part).lower()
        if normalized.startswith(DANGEROUS_SCHEMES):
            return normalized.split(":", 1)[0]
    return None


def parse(html):
    return LexborHTMLParser(html if isinstance(html, str) else html.decode())


def active_features(tree):
    """Everything executable in a parsed page, as hashable signatures (nonces left out)."""
    features = set()
    for node in tree.root.traverse(include_text=False):
        tag = node.tag
        attributes = {name.lower(): (value or "") for name, value in node.attributes.items()}
        if tag == "script" and attributes.get("type", "").lower() in DATA_SCRIPT_TYPES:
            pass  # data, never run; check_scripts() makes sure nothing broke out of it
        elif tag in ACTIVE_ELEMENTS:
            kept = tuple(sorted((k, v) for k, v in attributes.items() if k != "nonce"))
            features.add(("element", tag, kept))
        if tag == "meta" and "http-equiv" in attributes:
            features.add(("meta", attributes["http-equiv"].lower(), attributes.get("content", "")))
        if tag == "link" and RISKY_LINK_RELS & set(attributes.get("rel", "").lower().split()):
            features.add(("link", attributes.get("rel", ""), attributes.get("href", "")))
        for name, value in attributes.items():
            if name.startswith("on"):
                features.add(("handler", tag, name))
            elif name == "srcdoc":
                features.add(("srcdoc", tag))
            elif name in URL_ATTRIBUTES and (scheme := _dangerous_url(value)):
                features.add(("url", tag, name, scheme))
            elif name == "style":
                features.add(("style", tag, value if not _CSS_ACTIVE.search(value) else "ACTIVE CSS"))
            elif tag == "meta" and name == "content" and "http-equiv" in attributes:
                target = value.lower().replace(" ", "").partition("url=")[2]
                if _dangerous_url(target):
                    features.add(("url", tag, "refresh", _dangerous_url(target)))
    return features


def csp_nonce(response):
    header = response.get("Content-Security-Policy", "")
    found = re.search(r"'nonce-([^']+)'", header)
    return found.group(1) if found else None


def check_scripts(tree, response, where):
    """Inline scripts carry this response's nonce; data blocks still parse as JSON (so nothing in
    them closed the element early)."""
    nonce = csp_nonce(response)
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").lower()
        if kind in DATA_SCRIPT_TYPES:
            json.loads(script.text(deep=True))
        elif not script.attributes.get("src"):
            assert nonce and script.attributes.get("nonce") == nonce, (
                f"{where}: an inline script without the nonce"
            )


class Pages:
    """Checks pages against the active content of benign pages, and counts what it checked."""

    def __init__(self, client):
        self.client = client
        self.baseline = set()
        self.checked = 0

    def learn(self, path, **kwargs):
        """A benign page: its scripts, styles and the like are the site's own."""
        response = self.client.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        self.baseline |= active_features(parse(response.content))
        return response

    def check(self, response, where, *, status=200):
        assert response.status_code == status, (where, response.status_code)
        tree = parse(response.content)
        new = active_features(tree) - self.baseline
        assert not new, f"{where}: active content from a payload: {sorted(new)[:5]}"
        check_scripts(tree, response, where)
        self.checked += 1
        return tree

    def get(self, path, where=None, *, status=200, **kwargs):
        return self.check(self.client.get(path, **kwargs), where or path, status=status)


def page_text(tree):
    """The text a reader sees and every attribute value, whitespace collapsed."""
    values = [tree.body.text(deep=True, separator=" ") if tree.body else ""]
    if tree.head:
        values.append(tree.head.text(deep=True, separator=" "))
    for node in tree.root.traverse(include_text=False):
        values.extend(value or "" for value in node.attributes.values())
    return collapsed(" ".join(values))
