"""Channels behind one interface: each takes a message and answers with an outcome.

An outcome is ``accepted`` (final: never sent again), ``transport`` (nothing was delivered, try
again later), ``rejected`` (the provider or mail server refused it; trying again would not
help) or ``unknown`` (the request went out but no answer came back: the provider may have sent
the SMS, so it is not sent again). Error texts name the failure, never the recipient: they
are scrubbed of phone numbers and addresses before they leave this module.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import logging
import secrets
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from . import rules
from .catalogue import EMAIL, INBOX, SMS

logger = logging.getLogger("linli.notices")

Status = Literal["accepted", "transport", "rejected", "unknown"]


@dataclass(frozen=True)
class Message:
    """What a channel needs to deliver one notice; ``address`` is the plain phone or e-mail."""

    notice_id: int
    kind: str
    address: str
    title: str
    text: str
    template: str = ""
    template_params: dict[str, str] = field(default_factory=dict)
    link: str = ""

    def __repr__(self) -> str:  # never show the address in a traceback or a log
        return f"Message(notice_id={self.notice_id}, kind={self.kind!r})"


@dataclass(frozen=True)
class Outcome:
    status: Status
    provider_id: str = ""
    error: str = ""

    @classmethod
    def accepted(cls, provider_id: str = "") -> Outcome:
        return cls("accepted", provider_id[:100])

    @classmethod
    def transport(cls, error: str) -> Outcome:
        return cls("transport", error=rules.scrub(error)[:300])

    @classmethod
    def rejected(cls, error: str) -> Outcome:
        return cls("rejected", error=rules.scrub(error)[:300])

    @classmethod
    def unknown(cls, error: str) -> Outcome:
        return cls("unknown", error=rules.scrub(error)[:300])


class ChannelBackend(Protocol):
    def send(self, message: Message) -> Outcome: ...


class InboxChannel:
    """The staff inbox: the notice row is the delivery, so there is nothing to send."""

    def send(self, message: Message) -> Outcome:
        return Outcome.accepted()


class EmailChannel:
    """Django's mail (settings EMAIL_*): SMTP in production, a file or memory in dev and tests."""

    def send(self, message: Message) -> Outcome:
        body = message.text
        base = getattr(settings, "LINLI_BASE_URL", "").rstrip("/")
        if message.link and base:
            body += f"\n\n{base}{message.link}"
        body += "\n\n—— 邻里 Linli（系统自动发送，请勿回复）"
        timeout = getattr(settings, "LINLI_NOTICES_EMAIL_TIMEOUT", 30)
        try:
            send_mail(
                f"[邻里] {message.title}",
                body,
                None,
                [message.address],
                fail_silently=False,
                connection=get_connection(timeout=timeout),
            )
        except smtplib.SMTPRecipientsRefused:
            return Outcome.rejected("SMTPRecipientsRefused: the server refused the recipient")
        except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
            return Outcome.transport(f"{type(exc).__name__}")
        except smtplib.SMTPResponseException as exc:
            text = f"{type(exc).__name__} {exc.smtp_code}"
            return Outcome.transport(text) if 400 <= exc.smtp_code < 500 else Outcome.rejected(text)
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome.transport(f"{type(exc).__name__}")
        return Outcome.accepted()


class SmsChannel:
    """SMS through the gateway backend named in settings LINLI_SMS_BACKEND."""

    def send(self, message: Message) -> Outcome:
        return sms_backend().send(message)


def sms_backend() -> ChannelBackend:
    path = getattr(settings, "LINLI_SMS_BACKEND", "linli.notices.channels.FileSmsBackend")
    backend: ChannelBackend = import_string(path)()
    return backend


def sign_name() -> str:
    return str(getattr(settings, "LINLI_SMS_SIGN_NAME", "") or "邻里")


class HttpSmsBackend:
    """A JSON-over-HTTPS adapter with the fields of the usual Chinese cloud SMS services.

    The request carries the phone number, the approved signature (SignName), the approved
    template (TemplateCode) and its parameters as a JSON string (TemplateParam), plus our
    notice id (OutId) for the delivery report. It is authenticated by an access key id and an
    HMAC-SHA256 signature over method, path, timestamp, nonce and body hash. The provider answers
    ``{"Code": "OK", "RequestId": …}`` when it accepts; any other code is a rejection. Connection
    errors and HTTP 5xx are transport errors; other HTTP errors are rejections. A request that went
    out without an answer (a read timeout, a connection closed mid-answer) is ``unknown``.
    """

    def __init__(self) -> None:
        self.url = str(getattr(settings, "LINLI_SMS_URL", ""))
        self.key_id = str(getattr(settings, "LINLI_SMS_ACCESS_KEY_ID", ""))
        self.secret = str(getattr(settings, "LINLI_SMS_ACCESS_KEY_SECRET", ""))
        self.timeout = float(getattr(settings, "LINLI_SMS_TIMEOUT", 10))

    def request(self, message: Message) -> urllib.request.Request:
        body = json.dumps(
            {
                "PhoneNumbers": message.address,
                "SignName": sign_name(),
                "TemplateCode": message.template,
                "TemplateParam": json.dumps(message.template_params, ensure_ascii=False),
                "OutId": f"linli-{message.notice_id}",
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(8)
        path = urllib.parse.urlsplit(self.url).path or "/"
        signature = rules.sms_signature(self.secret, "POST", path, timestamp, nonce, body)
        return urllib.request.Request(  # noqa: S310 (scheme checked in send)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-Sms-Access-Key-Id": self.key_id,
                "X-Sms-Timestamp": timestamp,
                "X-Sms-Nonce": nonce,
                "X-Sms-Signature": signature,
            },
        )

    def send(self, message: Message) -> Outcome:
        if not self.url:
            return Outcome.rejected("LINLI_SMS_URL is not set")
        if urllib.parse.urlsplit(self.url).scheme not in {"http", "https"}:
            return Outcome.rejected("LINLI_SMS_URL must be an http(s) address")
        try:
            # The scheme is checked above: no file: or custom-scheme opener is reachable.
            request = self.request(message)
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                return Outcome.transport(f"HTTP {exc.code} from the SMS gateway")
            return Outcome.rejected(f"HTTP {exc.code}: {_answer_code(exc.read(65536))}")
        except urllib.error.URLError as exc:
            # Raised while connecting or sending the request: the gateway has not got it.
            reason = exc.reason
            detail = type(reason).__name__ if isinstance(reason, BaseException) else ""
            return Outcome.transport(f"URLError {detail}".strip())
        except (OSError, http.client.HTTPException) as exc:
            # The request went out, the answer did not come back (timeout, connection closed).
            return Outcome.unknown(f"{type(exc).__name__} waiting for the gateway's answer")
        try:
            answer = json.loads(raw)
        except ValueError:
            return Outcome.rejected("the gateway's answer is not JSON")
        if not isinstance(answer, dict):
            return Outcome.rejected("the gateway's answer is not a JSON object")
        if answer.get("Code") == "OK":
            return Outcome.accepted(str(answer.get("RequestId") or answer.get("BizId") or ""))
        return Outcome.rejected(f"{answer.get('Code')}: {answer.get('Message', '')}")


def _answer_code(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
    except ValueError:
        return "no JSON answer"
    if isinstance(answer, dict):
        return f"{answer.get('Code')}: {answer.get('Message', '')}"
    return "unexpected answer"


class FileSmsBackend:
    """The demo's phone: appends each SMS as a JSON line to VAR_DIR/sms/outbox.jsonl.

    The line holds the masked number, the signature, the template and the text as a resident
    would read it; the full number is never written.
    """

    def path(self) -> Path:
        configured = getattr(settings, "LINLI_SMS_FILE", "")
        return Path(configured) if configured else Path(settings.VAR_DIR) / "sms" / "outbox.jsonl"

    def send(self, message: Message) -> Outcome:
        path = self.path()
        request_id = f"file-{message.notice_id}-{secrets.token_hex(4)}"
        line = json.dumps(
            {
                "at": timezone.localtime().isoformat(timespec="seconds"),
                "request_id": request_id,
                "notice": message.notice_id,
                "to": rules.mask_phone(message.address),
                "sign": sign_name(),
                "template": message.template,
                "params": message.template_params,
                "text": f"【{sign_name()}】{message.text}",
            },
            ensure_ascii=False,
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(line + "\n")
        except OSError as exc:
            return Outcome.transport(f"{type(exc).__name__} writing the SMS file")
        return Outcome.accepted(request_id)


class MemorySmsBackend:
    """The test suite's phone (like Django's locmem mail): ``MemorySmsBackend.outbox``.

    Holds the messages of this process in a list; tests clear it themselves.
    """

    outbox: list[Message] = []

    def send(self, message: Message) -> Outcome:
        MemorySmsBackend.outbox.append(message)
        return Outcome.accepted(f"memory-{message.notice_id}-{len(MemorySmsBackend.outbox)}")


CHANNELS: dict[str, type[ChannelBackend]] = {
    INBOX: InboxChannel,
    EMAIL: EmailChannel,
    SMS: SmsChannel,
}


def channel(name: str) -> ChannelBackend:
    return CHANNELS[name]()
