"""The write bodies the gateway accepts: StackOne's request DTOs plus the gateway's extension fields.

Extension fields are not part of StackOne's DTOs; connectors translate them to what their vendor needs (Bindbee's
`remote_user_id`, Greenhouse's `On-Behalf-Of`, …), and the StackOne connector carries them in `passthrough`.
README "Using StackOne's SDKs" says how they travel when an SDK drops fields its models do not know.
"""

from __future__ import annotations

from pydantic import Field

from connectors.unified import schema as s
from connectors.unified.base import Dto


def stackone_dto(model: type[Dto]) -> type[Dto]:
    """The StackOne schema a write body extends (what StackOne itself accepts)."""
    return next(base for base in model.__mro__ if base.__module__ == s.__name__)


def extension_fields(model: type[Dto]) -> tuple[str, ...]:
    """The fields the gateway adds to StackOne's DTO."""
    own = stackone_dto(model).model_fields
    return tuple(name for name in model.model_fields if name not in own)


class Extensions(Dto):
    """Accepted on every write."""

    acting_user_id: str | None = Field(
        default=None,
        min_length=1,
        description="Unified id of the user on whose behalf the write is made (gateway extension).",
    )


class JobExtensions(Extensions):
    openings: int | None = Field(
        default=None, ge=1, description="Number of openings (gateway extension; Greenhouse requires it)."
    )
    template_id: str | None = Field(
        default=None,
        min_length=1,
        description="Job template to copy (gateway extension; Greenhouse creates jobs from templates).",
    )


class JobWrite(s.AtsCreateJobRequestDto, JobExtensions):
    """`POST /unified/ats/jobs` and `PATCH /unified/ats/jobs/{id}`: StackOne's two DTOs are identical (a test holds
    them so), so one model serves both."""


class CandidateCreate(s.AtsCreateCandidateRequestDto, Extensions):
    pass


class CandidateUpdate(s.AtsUpdateCandidateRequestDto, Extensions):
    pass


class ApplicationCreate(s.AtsCreateApplicationRequestDto, Extensions):
    """`candidate_id` or an inline `candidate`, not both (StackOne's rule, checked by each connector)."""


class AssessmentOrder(s.AtsCreateCandidatesAssessmentsRequestDto, Extensions):
    pass


class ApplicationUpdate(s.AtsUpdateApplicationRequestDto, Extensions):
    pass


class ApplicationMove(s.AtsMoveApplicationRequestDto, Extensions):
    pass


class ApplicationReject(s.AtsRejectApplicationRequestDto, Extensions):
    pass


class NoteCreate(s.AtsCreateNotesRequestDto, Extensions):
    pass


class NoteUpdate(s.AtsUpdateNotesRequestDto, Extensions):
    pass


class DocumentUpload(s.AtsDocumentsUploadRequestDto, Extensions):
    """StackOne's upload DTO has no `passthrough`: the extensions reach only connectors that can carry them."""

    file_url: str | None = Field(
        default=None,
        min_length=1,
        description="Where the vendor fetches the file from, instead of `content` (gateway extension; Merge takes "
        "attachments by URL).",
    )


class OfferCreate(s.AtsCreateOfferRequestDto, Extensions):
    pass


class AssessmentResult(s.AtsUpdateCandidatesAssessmentsResultsRequestDto, Extensions):
    pass


class BackgroundCheckPackageCreate(s.AtsCreateBackgroundCheckPackagesRequestDto, Extensions):
    pass


class BackgroundCheckPackageUpdate(s.AtsUpdateBackgroundCheckPackagesRequestDto, Extensions):
    pass


class BackgroundCheckOrder(s.AtsCreateBackgroundCheckOrderRequestDto, Extensions):
    pass


class BackgroundCheckResult(s.AtsUpdateBackgroundCheckResultRequestDto, Extensions):
    pass
