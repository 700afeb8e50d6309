"""Schemathesis hooks for Redress's API (scripts/fuzz-api.sh).

- A client sends a fresh Idempotency-Key with each distinct request; the document can say what
  a key looks like but not that it is unique. So a well-formed key Schemathesis generated is
  replaced by a fresh one (a malformed one is left, for the server to refuse). The same key
  with another body is refused with 422 by design, and is tested in the Rust suite.
- `POST /api/v1/mail/inbound` takes a raw mail (`message/rfc822`): sent as the text generated.
"""

import uuid

import schemathesis

schemathesis.serializer.alias("message/rfc822", "text/plain")


def _well_formed(key):
    return isinstance(key, str) and 1 <= len(key) <= 255 and all("!" <= c <= "~" for c in key)


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and _well_formed(headers[name]):
            headers[name] = uuid.uuid4().hex
