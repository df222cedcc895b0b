#!/usr/bin/env python3
"""Decodes stored messages for the tests: prints one JSON object per file given, with the
headers (in order), the recipients the server saw, the MIME structure and the decoded parts."""
import email
import json
import sys
from email import policy

out = []
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    out.append({
        "file": path,
        "headers": [[k, str(v)] for k, v in msg.items()],
        "rcpt": (msg.get("X-RcptTo") or ""),
        "content_type": msg.get_content_type(),
        "parts": [p.get_content_type() for p in msg.walk()],
        "defects": [str(d) for p in msg.walk() for d in p.defects],
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
    })
json.dump(out, sys.stdout)
