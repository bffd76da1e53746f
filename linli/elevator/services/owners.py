"""The owner's own access: personal codes, the ID check, and logging in with both."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit, crypto, ratelimit
from linli.core.context import Actor

from ..errors import ElevatorError, OwnerAccessDenied, OwnerLocked
from ..models import Owner, Project
from .base import _manage

CODE_PURPOSE = "elevator.owner_code"
TAIL_PURPOSE = "elevator.owner_id_tail"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by elders
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 codes (59 bits): not guessable, not enumerable
OWNER_LOCK_AFTER = 5  # wrong ID tails from one address before the code locks there
OWNER_LOCK_MINUTES = 30


def _set_tail(owner: Owner, tail: str) -> None:
    owner.id_tail_hash = crypto.keyed_hash(f"{owner.pk}:{tail.upper()}", TAIL_PURPOSE)
    owner.save(update_fields=["id_tail_hash"])


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def do_issue_codes(actor: Actor, project: Project) -> list[tuple[Owner, str]]:
    """New personal codes for every owner (old codes stop working). Shown once, for printing."""
    _manage(actor, project.committee_id)
    issued: list[tuple[Owner, str]] = []
    with transaction.atomic():
        for owner in project.owners.order_by("pk"):
            code = new_code()
            owner.code_hash = crypto.keyed_hash(code, CODE_PURPOSE)
            owner.save(update_fields=["code_hash"])
            issued.append((owner, code))
        audit.record(actor, "elevator.codes.issue", project, details={"owners": len(issued)})
    return issued


def do_set_owner_id_tail(actor: Actor, owner: Owner, tail: str) -> None:
    """Record the ID check for an owner not found in the residents register."""
    _manage(actor, owner.project.committee_id)
    tail = tail.strip().upper()
    if len(tail) != 4 or not tail.isalnum():
        raise ElevatorError(_("请输入身份证号后四位。"), field="tail")
    with transaction.atomic():
        _set_tail(owner, tail)
        audit.record(actor, "elevator.owner.id_tail", owner)


def do_log_in_owner(code: str, tail: str, *, terminal: str = "", address: str = "") -> Owner:
    """The owner's own access: personal code plus the last four ID characters.

    Wrong codes reveal nothing (callers throttle by address); a right code with a wrong
    tail counts against that code *from that address*, which locks after a few tries. The
    lock is per address, not for the owner: someone who knows an owner's code cannot lock
    the owner out of their own vote. Each outcome is audited.
    """
    # Codes are kept by hash only: accepted under every cipher suite an installation accepts.
    code_hashes = crypto.keyed_hashes(normalise_code(code), CODE_PURPOSE)
    actor = Actor(None, terminal[:100], "owner")
    problem = ""
    with transaction.atomic():
        owner = Owner.objects.select_related("project").filter(code_hash__in=code_hashes).first()
        if owner is None:
            raise OwnerAccessDenied(_("个人码或身份证号后四位不正确。"))
        tails = crypto.keyed_hashes(f"{owner.pk}:{tail.strip().upper()}", TAIL_PURPOSE)
        tries = f"elevator-owner-tail:{owner.pk}:{address}"
        if ratelimit.exceeded(tries, OWNER_LOCK_AFTER):
            problem = "locked"
        elif not owner.id_tail_hash or not any(
            secrets.compare_digest(expected, owner.id_tail_hash) for expected in tails
        ):
            problem = "wrong"
            ratelimit.hit(tries, OWNER_LOCK_MINUTES * 60)
        else:
            ratelimit.reset(tries)
        audit.record(
            actor,
            "elevator.owner.login",
            owner,
            object_repr=f"owner {owner.pk}",
            outcome="denied" if problem else "ok",
        )
    if problem == "locked":
        raise OwnerLocked(_("尝试次数过多，请 30 分钟后再试，或联系居委。"))
    if problem:
        raise OwnerAccessDenied(_("个人码或身份证号后四位不正确。"))
    return owner
