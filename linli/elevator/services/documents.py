"""Documents of a project: checked uploads, and the owner opening one of their project's."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.context import Actor

from .. import rules
from ..errors import DocumentNotFound, ElevatorError
from ..models import Document, Owner, Project
from .base import _manage

UPLOAD_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def check_upload(upload: UploadedFile[Any]) -> None:
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in UPLOAD_TYPES:
        raise ElevatorError(_("只接受 PDF、PNG、JPG 文件。"), field="file")
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ElevatorError(_("文件不能超过 10 MB。"), field="file")
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(UPLOAD_TYPES[suffix]):
        raise ElevatorError(_("文件内容与扩展名不符。"), field="file")


def do_add_document(
    actor: Actor,
    project: Project,
    kind: str,
    upload: UploadedFile[Any] | None,
    title: str = "",
    stage: int | None = None,
) -> Document:
    _manage(actor, project.committee_id)
    if upload is not None:
        check_upload(upload)
    with transaction.atomic():
        doc = Document(
            project=project,
            stage=project.stage if stage is None else stage,
            kind=kind,
            title=title,
            by=actor.user,
            size=upload.size or 0 if upload else 0,
        )
        if upload is not None:
            doc.file.save(upload.name or "upload", upload, save=False)
        doc.save()
        audit.record(
            actor, "elevator.document.add", doc, details={"project": project.pk, "kind": kind}
        )
    return doc


def do_open_owner_document(actor: Actor, owner: Owner, doc_id: int) -> Document:
    """One document for the owner to open; only their project's, and every opening is audited
    (an agreement or a cost table names owners)."""
    doc = (
        Document.objects.filter(
            pk=doc_id, project_id=owner.project_id, kind__in=rules.OWNER_DOCUMENTS
        )
        .exclude(file="")
        .first()
    )
    if doc is None:
        raise DocumentNotFound(_("没有这份材料。"))
    audit.record(
        actor,
        "elevator.document.owner_open",
        doc,
        details={"owner": owner.pk, "project": owner.project_id, "kind": doc.kind},
    )
    return doc
