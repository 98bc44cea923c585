"""Closed enumerations: English codes below the UI, Chinese labels in `messages`."""

from __future__ import annotations

from enum import Enum


class CodeEnum(str, Enum):
    """A str enum whose value is its wire code."""

    def __str__(self) -> str:
        return self.value


class Stage(CodeEnum):
    CLUE = "clue"
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    REGISTERED = "registered"
    STARTED = "started"
    IN_PRODUCTION = "in_production"
    TERMINATED = "terminated"


# The forward pipeline, in order; `terminated` may follow any of them.
PIPELINE: tuple[Stage, ...] = (
    Stage.CLUE,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.REGISTERED,
    Stage.STARTED,
    Stage.IN_PRODUCTION,
)


class Intent(CodeEnum):
    NONE = "none"
    INITIAL = "initial"
    INTERESTED = "interested"
    STRONG = "strong"


class TripStatus(CodeEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    FINISHED = "finished"


class VisitStatus(CodeEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class ListKind(CodeEnum):
    """The extensible, org-level lists (字典)."""

    INDUSTRY_CHAIN = "industry_chain"
    REGION = "region"
    TAG = "tag"
    SOURCE = "source"
    UNIT = "unit"


class Role(CodeEnum):
    MEMBER = "member"
    LEAD = "lead"
    ADMIN = "admin"
