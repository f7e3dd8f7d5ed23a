"""What the API accepts: request bodies, each field described and bounded."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

NO_NUL = "^[^\\x00]*$"
"""Text fields refuse the NUL character (PostgreSQL cannot store it)."""

Reason = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=1000,
        pattern=NO_NUL,
        description="Why, in the user's words; kept in the audit log (required, not blank).",
    ),
]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A password login."""

    username: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=64,
            pattern="^[^\\x00-\\x1f]*$",
            description="The account's login name.",
        ),
    ]
    password: Annotated[
        str, msgspec.Meta(min_length=1, max_length=1024, description="The account's password.")
    ]


class ReasonRequest(msgspec.Struct, forbid_unknown_fields=True):
    """An action on a transcript that needs a written reason (return, revoke)."""

    reason: Reason


class CorrectionRequestBody(msgspec.Struct, forbid_unknown_fields=True):
    """A principal's request to the Department to correct a locked transcript (REQ-23)."""

    reason: Reason
    details: Annotated[
        str,
        msgspec.Meta(
            max_length=10000,
            pattern=NO_NUL,
            description="What is wrong and what it should be, e.g. `TOAN: 6.5 → 7.5`.",
        ),
    ] = ""


class DecisionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The Department's decision on a correction request."""

    decision: Annotated[
        Literal["approve", "reject"],
        msgspec.Meta(description="`approve`: a new version in draft; `reject`: back to finalized."),
    ]
    note: Annotated[
        str,
        msgspec.Meta(
            max_length=1000, pattern=NO_NUL, description="The Department's note on the decision."
        ),
    ] = ""
