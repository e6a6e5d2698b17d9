"""Text messages behind one small interface, as Django's mail has back-ends: `SMS_BACKEND`
names the class. Until a provider is configured there are two: the console (development: the
text is printed, as the console e-mail back-end prints mail) and memory (tests, `outbox`).
With debug off and no provider, SMS is not offered (`enabled()`)."""

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list["Text"] = []


@dataclass(frozen=True)
class Text:
    to: str
    body: str


class ConsoleBackend:
    def send(self, text: Text) -> None:
        sys.stdout.write(f"SMS to {text.to}:\n{text.body}\n{'-' * 79}\n")
        sys.stdout.flush()


class MemoryBackend:
    def send(self, text: Text) -> None:
        outbox.append(text)


def enabled() -> bool:
    return bool(settings.SMS_BACKEND)


def send(to: str, body: str) -> None:
    if not enabled():
        raise RuntimeError("No text-message provider is configured.")
    import_string(settings.SMS_BACKEND)().send(Text(to, body))
