"""Parses HTML files as a browser would (html5lib, the HTML5 parsing algorithm, strict: any
parse error is reported) and prints, as JSON, what a test needs to look at in each: parse
errors, ids, links, and anything that would run a script or load from elsewhere."""
import json
import sys

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
    tree = parser.parse(data)
    errors = [f"{pos}: {code} {vars_}" for pos, code, vars_ in parser.errors]
    ids, hrefs, fragments, loads, scripts, handlers, tags = [], [], [], [], [], [], {}
    text = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.replace(NS, "")
        tags[tag] = tags.get(tag, 0) + 1
        if el.get("id"):
            ids.append(el.get("id"))
        if tag == "a" and el.get("href") is not None:
            href = el.get("href")
            (fragments if href.startswith("#") else hrefs).append(href)
        for attr in ("src", "srcset", "data", "poster", "background"):
            if el.get(attr):
                loads.append(f"{tag}[{attr}]={el.get(attr)}")
        if tag == "link" and "stylesheet" in (el.get("rel") or ""):
            loads.append(f"link[stylesheet]={el.get('href')}")
        if tag in ("script", "iframe", "object", "embed", "img", "frame", "base", "form"):
            scripts.append(tag)
        for name in el.keys():
            if name.lower().startswith("on"):
                handlers.append(f"{tag}[{name}]")
        if tag == "style" and el.text and ("url(" in el.text or "@import" in el.text):
            loads.append("style: url() or @import")
        if el.text:
            text.append(el.text)
        if el.tail:
            text.append(el.tail)
    return {
        "file": path,
        "errors": errors,
        "ids": ids,
        "hrefs": hrefs,
        "fragments": fragments,
        "loads": loads,
        "scripts": scripts,
        "handlers": handlers,
        "tags": tags,
        "text": "".join(text),
    }


print(json.dumps([check(p) for p in sys.argv[1:]]))
