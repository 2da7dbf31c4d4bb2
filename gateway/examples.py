"""A worked example of every write, for the OpenAPI document (and the reader of it): each is checked against its
operation's request model by a test, so an example cannot drift from what the gateway accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_STAGE = "f223d7f6-908b-48f0-9237-b201c307f609"
_USER = "4071538b-3cac-4fbf-ac76-f78ed250ffdd"
_APPLICATION = "e3cb75bf-aa84-466e-a6c1-b8322b257a48"
_NOTE = {"content": [{"body": "Strong phone screen; move to the onsite."}], "visibility": {"value": "private"}}
_RESULT = {
    "result": {"value": "passed"},
    "score": {"label": "Overall", "value": "8", "min": "0", "max": "10"},
    "summary": "Passed every section",
    "result_url": "https://assessments.example/results/1234",
}
_ORDER = {
    "package": {"id": "54647cb7-eec0-5b1d-846e-d7b34e0c1833"},
    "application": {"id": _APPLICATION},
    "candidate": {"first_name": "Marie", "last_name": "Curie", "emails": [{"type": "personal", "value": "m@e.org"}]},
    "job": {"id": "6dfd23ba-75c4-5e69-b10d-1be02df9942e", "title": "Software Engineer"},
    "results_update_url": "https://backend.example/ats-results",
}

EXAMPLES: Mapping[str, Mapping[str, Any]] = {
    "ats_create_job": {
        "title": "Software Engineer",
        "code": "SE-2026-01",
        "job_status": {"value": "open"},
        "department_ids": ["5b0c4e52-8a5f-4f7e-9d2e-0a9b8a1c2f10"],
        "hiring_team": [{"user_id": _USER, "role": "hiring_manager"}],
        "openings": 2,
        "template_id": "4033879009",
        "acting_user_id": _USER,
    },
    "ats_update_job": {"title": "Senior Software Engineer", "job_status": {"value": "closed"}},
    "ats_create_candidate": {
        "first_name": "Marie",
        "last_name": "Curie",
        "email": "marie.curie@example.com",
        "phone_numbers": [{"type": "mobile", "phone": "+447700900123"}],
        "social_links": [{"type": "linkedin", "url": "https://www.linkedin.com/in/marie-curie"}],
        "company": "Sorbonne",
        "title": "Physicist",
    },
    "ats_update_candidate": {"title": "Professor", "acting_user_id": _USER},
    "ats_create_application": {"job_id": "6dfd23ba-75c4-5e69-b10d-1be02df9942e", "candidate_id": _APPLICATION},
    "ats_update_application": {"source": {"id": "16", "name": "Referral"}, "acting_user_id": _USER},
    "ats_move_application": {"interview_stage_id": _STAGE, "acting_user_id": _USER},
    "ats_reject_application": {
        "rejected_reason_id": "5a7ef79f-0e96-5cd7-b9b2-f3c3da4c1a6f",
        "passthrough": {"notes": "Position filled"},
        "acting_user_id": _USER,
    },
    "ats_create_application_note": _NOTE,
    "ats_update_application_note": {"content": [{"body": "Onsite booked for Tuesday."}]},
    "ats_create_candidate_note": _NOTE,
    "ats_create_interview_note": _NOTE,
    "ats_update_interview_note": {"visibility": {"value": "public"}},
    "ats_upload_application_document": {
        "name": "marie-curie-resume.pdf",
        "file_format": {"value": "pdf"},
        "content": "JVBERi0xLjQK",
        "category": {"value": "resume"},
    },
    "ats_create_offer": {
        "application_id": _APPLICATION,
        "start_date": "2027-01-04",
        "salary": 90000,
        "currency": "EUR",
        "offer_status": {"value": "created"},
    },
    "ats_order_assessments_request": _ORDER,
    "ats_update_assessments_result": _RESULT,
    "ats_create_background_check_package": {"name": "Standard check", "tests": [{"name": "Identity"}]},
    "ats_update_background_check_package": {"description": "Identity and right to work"},
    "ats_order_background_check_request": {
        **_ORDER,
        "package": {"id": "d5c05ce8-c000-5569-95f9-3470b09aa00e", "name": "Standard check"},
    },
    "ats_update_background_check_result": _RESULT,
}
"""By operationId: every write with a body has one (the delete of a package takes none)."""
