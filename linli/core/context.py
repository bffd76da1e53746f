"""Who is acting, and from where: passed explicitly to every service function."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    terminal: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.name or "system"

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user: Any = getattr(request, "user", None)
        terminal = request.headers.get("X-Linli-Terminal", "")[:40]
        address = client_address(request)
        where = f"{terminal}@{address}" if terminal else address
        return cls(user if user is not None and user.is_authenticated else None, where[:100])

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(None, "cli", name)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address, decided in one place for throttles, rate limits and the audit
    log. Behind the proxies listed in ``LINLI_TRUSTED_PROXIES`` (addresses or networks) it is
    the right-most ``X-Forwarded-For`` entry that is not one of them; a client cannot forge
    it, since it can only add entries on the left. Otherwise it is ``REMOTE_ADDR``."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "LINLI_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    address = remote
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: keep the last address a trusted proxy vouched for
        address = hop
        if not _trusted(hop, networks):
            break
    return address
