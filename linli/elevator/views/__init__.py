"""Lift-retrofit pages, one module per screen: the project list and page, the owner roll,
votes and ballots, the owner's own page, mediation, money, upkeep and the guidance centre.

Owners have no accounts: their page is public and reached with a personal code plus the
last four ID characters (``services.do_log_in_owner``), throttled per address and per code.
``urls.py`` names the views through this package.
"""

from ._common import IP_LIMIT, OWNER_SESSION, OWNER_SESSION_SECONDS, PAGE_SIZE
from .guidance import consultation_edit, consultations, guide
from .mediation import objection_detail, objection_settle
from .money import COST_DEFAULTS, COST_FIELDS, ITEM_LABELS, annex, costs_page
from .owner import owner_ballot, owner_confirm, owner_document, owner_login, owner_logout
from .projects import (
    SORTS,
    document_add,
    document_file,
    export,
    index,
    maintenance_add,
    member_add,
    objection_add,
    project_detail,
    project_edit,
    roll_build,
    round_table_add,
    stage_move,
    vote_open,
)
from .roll import codes, roll, roll_developer, roll_merge
from .upkeep import reminders
from .votes import vote_close, vote_detail, vote_json

__all__ = [
    "COST_DEFAULTS",
    "COST_FIELDS",
    "IP_LIMIT",
    "ITEM_LABELS",
    "OWNER_SESSION",
    "OWNER_SESSION_SECONDS",
    "PAGE_SIZE",
    "SORTS",
    "annex",
    "codes",
    "consultation_edit",
    "consultations",
    "costs_page",
    "document_add",
    "document_file",
    "export",
    "guide",
    "index",
    "maintenance_add",
    "member_add",
    "objection_add",
    "objection_detail",
    "objection_settle",
    "owner_ballot",
    "owner_confirm",
    "owner_document",
    "owner_login",
    "owner_logout",
    "project_detail",
    "project_edit",
    "reminders",
    "roll",
    "roll_build",
    "roll_developer",
    "roll_merge",
    "round_table_add",
    "stage_move",
    "vote_close",
    "vote_detail",
    "vote_json",
    "vote_open",
]
