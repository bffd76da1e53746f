"""A fake SMS gateway on loopback, shaped like the providers HttpSmsBackend speaks to.

Used by the tests (in-process: start ``serve_forever`` on a thread in the test) and by the
scale-out test as a separate process::

    python -m linli.notices.testing --port 8625 --log var/fake-sms.jsonl

It checks the access key id and HMAC signature, records each request, and answers from a
script of outcomes (default: accept everything): ``ok`` accepts with a fresh RequestId,
``500`` answers HTTP 500, ``reject`` answers a provider rejection
(``isv.MOBILE_NUMBER_ILLEGAL``), ``drop`` closes the connection without an answer (nothing
sent), ``slow`` accepts (the SMS counts as sent) but answers only after ``slow_seconds``.
The log file gets one JSON line per request with the phone masked.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import rules

DEFAULT_KEY_ID = "fake-key-id"
DEFAULT_SECRET = "fake-key-secret"  # noqa: S105 (the fake gateway's)
OUTCOMES = ("ok", "500", "drop", "reject", "slow")


class FakeSmsGateway:
    """The gateway: ``requests`` holds every request received, ``accepted`` the accepted ones."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        key_id: str = DEFAULT_KEY_ID,
        secret: str = DEFAULT_SECRET,
        log: str | Path | None = None,
        script: Iterable[str] = (),
        slow_seconds: float = 2.0,
    ) -> None:
        self.key_id = key_id
        self.secret = secret
        self.log = Path(log) if log else None
        self.slow_seconds = slow_seconds
        self.requests: list[dict[str, Any]] = []
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self.then(*script)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gateway._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/sms/send"

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """Requests the gateway accepted (and would have sent as SMS)."""
        return [r for r in self.requests if r["outcome"] in ("ok", "slow")]

    def then(self, *outcomes: str) -> FakeSmsGateway:
        """Answer the next requests with these outcomes, in order; then accept again."""
        for outcome in outcomes:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}; use one of {OUTCOMES}")
        with self._lock:
            self._script.extend(outcomes)
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.05)

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = handler.headers
        expected = rules.sms_signature(
            self.secret,
            "POST",
            handler.path,
            headers.get("X-Sms-Timestamp", ""),
            headers.get("X-Sms-Nonce", ""),
            body,
        )
        try:
            fields = json.loads(body)
        except ValueError:
            fields = {}
        if (
            headers.get("X-Sms-Access-Key-Id") != self.key_id
            or headers.get("X-Sms-Signature") != expected
        ):
            outcome = "bad-signature"
        else:
            with self._lock:
                outcome = self._script.popleft() if self._script else "ok"
        request_id = str(uuid.uuid4())
        record = {
            "out_id": fields.get("OutId", ""),
            "phone": fields.get("PhoneNumbers", ""),
            "sign": fields.get("SignName", ""),
            "template": fields.get("TemplateCode", ""),
            "params": json.loads(fields.get("TemplateParam") or "{}"),
            "outcome": outcome,
            "request_id": request_id if outcome in ("ok", "slow") else "",
        }
        with self._lock:
            self.requests.append(record)
            if self.log is not None:
                line = {**record, "phone": rules.mask_phone(str(record["phone"]))}
                with self.log.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        if outcome == "drop":
            handler.close_connection = True
            return
        if outcome == "500":
            self._answer(handler, 500, {"Code": "InternalError", "Message": "try again"})
        elif outcome == "bad-signature":
            self._answer(
                handler, 403, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
            )
        elif outcome == "reject":
            self._answer(
                handler, 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid number"}
            )
        else:
            if outcome == "slow":
                time.sleep(self.slow_seconds)
            self._answer(
                handler,
                200,
                {"Code": "OK", "Message": "OK", "RequestId": request_id, "BizId": uuid.uuid4().hex},
            )

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:  # the client gave up waiting (a "slow" answer)
            handler.close_connection = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A fake SMS gateway on loopback (for tests).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8625)
    parser.add_argument("--log", help="append one JSON line per request (phone masked)")
    parser.add_argument("--key-id", default=DEFAULT_KEY_ID)
    parser.add_argument("--secret", default=DEFAULT_SECRET)
    parser.add_argument("--script", default="", help="comma-separated outcomes, e.g. 500,drop")
    args = parser.parse_args(argv)
    script = [s for s in args.script.split(",") if s]
    gateway = FakeSmsGateway(
        args.host, args.port, key_id=args.key_id, secret=args.secret, log=args.log, script=script
    )
    sys.stdout.write(f"fake SMS gateway listening on {gateway.url}\n")
    sys.stdout.flush()
    try:
        gateway.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        gateway.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
