"""What the owners see: the document kinds open to them and which ones show inline."""

from __future__ import annotations

OWNER_DOCUMENTS: frozenset[str] = frozenset(
    {
        "intent_survey_result",
        "preliminary_design",
        "cost_estimate",
        "round_table_minutes",
        "retrofit_agreement",
        "cost_sharing_table",
        "result_notice",
        "planning_notice",
        "safety_review_opinion",
        "construction_drawings",
        "construction_permit",
        "installation_notice",
        "supervision_inspection_certificate",
        "use_registration_certificate",
        "completion_acceptance_record",
        "use_management_designation",
        "maintenance_contract",
        "insurance_policy",
    }
)
"""Document kinds an owner may open on the owner page. Ballots, objection replies, the working
group's record, subsidy and filing papers carry other people's details and stay with staff."""

DESIGN_DOCUMENTS: tuple[str, ...] = (
    "preliminary_design",
    "planning_notice",
    "construction_drawings",
)
"""The kinds that show the lift's design, newest stage last."""

IMAGE_SUFFIXES: frozenset[str] = frozenset({".png", ".jpg", ".jpeg"})


def is_image(name: str) -> bool:
    """A drawing the owner page can show inline (by its file suffix)."""
    dot = name.rfind(".")
    return dot >= 0 and name[dot:].lower() in IMAGE_SUFFIXES
