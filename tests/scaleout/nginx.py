"""nginx for the tests: deploy/nginx/linli.conf turned into a loopback configuration.

What changes from the production site file: the app servers' addresses (loopback ports), the
listening address (a loopback port, plain HTTP: no certificate), and an ``X-Upstream`` header
naming the app server that answered. Everything else (proxy headers, body size, timeouts,
retries) is used as written, so the test runs the configuration production runs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "linli.conf"


def _blocks(text: str, head: str) -> list[tuple[int, int]]:
    """Spans of the top-level blocks ``head { … }`` (braces matched)."""
    spans = []
    for match in re.finditer(rf"^{head}\s*\{{", text, flags=re.MULTILINE):
        depth, i = 0, match.end() - 1
        while True:
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        spans.append((match.start(), i + 1))
    return spans


def site_for_test(port: int, upstreams: list[int], text: str | None = None) -> str:
    """The site file with the app servers on ``upstreams`` and nginx on 127.0.0.1:``port``."""
    text = SITE.read_text() if text is None else text
    text = re.sub(r"^\s*#.*\n", "", text, flags=re.MULTILINE)
    (up_start, up_end), *rest = _blocks(text, r"upstream\s+linli_app")
    assert rest == [], "one upstream block"
    upstream = text[up_start:up_end]
    lines = re.findall(r"^\s*server\s+\S+(.*);\s*$", upstream, flags=re.MULTILINE)
    assert len(lines) >= 2, "the upstream names at least two app servers"
    options = lines[0]
    servers = "".join(f"    server 127.0.0.1:{p}{options};\n" for p in upstreams)
    new_upstream = re.sub(r"(?ms)^\s*server\s+\S+.*?;\s*\n", "", upstream)
    new_upstream = new_upstream.replace("{\n", "{\n" + servers, 1)

    tls = [s for s in _blocks(text, "server") if "listen 443" in text[s[0] : s[1]]]
    assert len(tls) == 1, "one TLS server block"
    server = text[tls[0][0] : tls[0][1]]
    server = re.sub(r"(?m)^\s*listen\s+\[::\].*\n", "", server)
    server, n = re.subn(r"(?m)^(\s*)listen\s+443\b[^;]*;", rf"\1listen 127.0.0.1:{port};", server)
    assert n == 1
    server = re.sub(r"(?m)^\s*ssl_\w+\s[^;]*;\s*\n", "", server)
    server = server.replace("{\n", "{\n    add_header X-Upstream $upstream_addr always;\n", 1)
    return new_upstream + "\n\n" + server + "\n"


def main_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    """A complete nginx.conf under ``folder`` (pid, logs and temporary files there too);
    run it with ``nginx -c CONF -g 'daemon off;'``."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / "temp"
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / name).mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    # Run as root (CI), nginx's workers would switch to `nobody`, who cannot enter pytest's
    # temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include /etc/nginx/mime.types;
{site_for_test(port, upstreams)}
}}
"""
    )
    return conf
