"""Reading the mail the wizard sends, from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass
class Mailbox:
    """Every message the SMTP server received, with a way to wait for one."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject: str, *, after: int = 0,
                 timeout: float = 15) -> EmailMessage:
        """The first message to `to` whose subject contains `subject`, skipping `after`."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                found = [m for m in self.messages
                         if to in m["To"] and subject in m["Subject"]]
                if len(found) > after:
                    return found[after]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m["To"], m["Subject"]) for m in self.messages]
                    raise AssertionError(f"no mail « {subject} » to {to}; received: {seen}")
                self.arrived.wait(remaining)

    def count(self, to: str, subject: str) -> int:
        """How many messages to `to` with `subject` arrived so far."""
        with self.arrived:
            return sum(1 for m in self.messages if to in m["To"] and subject in m["Subject"])


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    """The first URL in the mail's text whose path starts with `path`."""
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S+", text_of(message))
    assert match, f"no {path} link in:\n{text_of(message)}"
    return match.group(0)


def code_in(message: EmailMessage) -> str:
    """The 6-digit verification code of a mail."""
    match = re.search(r"\b(\d{6})\b", text_of(message))
    assert match, "no code in the mail"
    return match.group(1)
