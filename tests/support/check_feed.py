"""Reads Atom feeds with feedparser (as feed readers do) and prints, as JSON, what it made of
each: whether it found errors (bozo), what a strict XML parser (expat, through
xml.etree.ElementTree) says of it, the feed's id, title and links, and its entries."""
import json
import sys
import xml.etree.ElementTree as ElementTree

import feedparser


def xml_error(data):
    try:
        ElementTree.fromstring(data)
        return ""
    except ElementTree.ParseError as e:
        return str(e)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    d = feedparser.parse(data)
    return {
        "file": path,
        "xml_error": xml_error(data),
        "version": d.get("version", ""),
        "bozo": bool(d.bozo),
        "bozo_exception": str(d.get("bozo_exception", "")),
        "id": d.feed.get("id", ""),
        "title": d.feed.get("title", ""),
        "links": [l.get("href", "") for l in d.feed.get("links", [])],
        "updated": d.feed.get("updated", ""),
        "entries": [
            {
                "id": e.get("id", ""),
                "title": e.get("title", ""),
                "link": e.get("link", ""),
                "updated": e.get("updated", ""),
                "summary": e.get("summary", ""),
            }
            for e in d.entries
        ],
    }


print(json.dumps([read(p) for p in sys.argv[1:]]))
