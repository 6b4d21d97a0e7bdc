"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the outbox tests."""

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    """Accepts every message, except for recipients given an answer in `refuse`."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP answer, as "550 No such user"
        self.delay = 0.0  # seconds each message takes, to make senders overlap
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server's loop: one message at a time
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start, stop and start again on the same loopback port."""

    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def raw(self) -> list[bytes]:
        with self.handler.lock:
            return [content for _rcpt, content in self.handler.received]

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]  # type: ignore[misc]

    def recipients(self) -> list[str]:
        with self.handler.lock:
            return sorted(address for rcpt, _content in self.handler.received for address in rcpt)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """The messages received, once there are at least `count` (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        while len(self.raw) < count:
            assert time.monotonic() < deadline, f"{len(self.raw)} of {count} messages arrived"
            time.sleep(0.02)
        return self.messages
