"""Keep secrets out of the server's logs: the one request line that carries a patient's link
token (`/p/<token>/`) or a message's unsubscribe token (`/messages/stop/<token>/`) is logged
with the token replaced."""

import logging
import re

# The path segment after these prefixes is a bearer secret.
_SECRET_PATHS = re.compile(r"(/p/|/messages/stop/)[^/\s\"'?#]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """On a handler: every record it writes, whichever logger it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # Django's request loggers attach the request; a formatter may print its path.
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = None
        return True
