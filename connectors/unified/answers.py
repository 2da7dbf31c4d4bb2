"""StackOne's write answers, with the gateway's one extension: `unified_warnings`.

StackOne's own upload answer (`WriteResultApiModel`) carries `unified_warnings: [{message}]`; the gateway answers
every write that way when the vendor accepted it with warnings (Merge's `warnings`), so nothing it said is lost.
An SDK that does not know the field ignores it.
"""

from __future__ import annotations

from pydantic import Field

from connectors.unified import schema as s
from connectors.unified.base import Dto


class Warned(Dto):
    unified_warnings: list[s.UnifiedWarningApiModel] | None = Field(
        default=None, description="What the vendor accepted but flagged (gateway extension on StackOne's answer)."
    )


class CreateResult(s.CreateResult, Warned):
    pass


class UpdateResult(s.UpdateResult, Warned):
    pass


class MoveApplicationResult(s.MoveApplicationResult, Warned):
    pass


class RejectApplicationResult(s.RejectApplicationResult, Warned):
    pass


class DeleteResult(s.DeleteResult, Warned):
    pass
