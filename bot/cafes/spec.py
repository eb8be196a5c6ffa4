"""The cafes file (CAFES_FILE, YAML): what each cafe is and who works there. See cafes.example.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

CafeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]


class CafeFileError(ValueError):
    """The cafes file cannot be read or does not describe cafes; the message names the file and the problem."""


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ko: str
    en: str


class ExpertSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")  # keys may grow

    user_id: int = Field(gt=0)
    specialties: list[str] = Field(default_factory=list)
    capacity: int = Field(default=5, ge=0)
    alias: str = ""


class CafeSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: CafeId
    name: Names
    district: str = ""
    address: str = ""
    hours: str = ""
    expert_chat_id: int | None = None
    experts: list[ExpertSpec] = Field(default_factory=list)
    staff: list[int] = Field(default_factory=list)

    @field_validator("staff")
    @classmethod
    def _positive(cls, ids: list[int]) -> list[int]:
        if any(i <= 0 for i in ids):
            raise ValueError("staff are numeric Telegram user ids")
        return ids


class CafesFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cafes: list[CafeSpec] = Field(default_factory=list)

    @field_validator("cafes")
    @classmethod
    def _unique(cls, cafes: list[CafeSpec]) -> list[CafeSpec]:
        seen: set[str] = set()
        for cafe in cafes:
            if cafe.id in seen:
                raise ValueError(f"cafe id {cafe.id!r} is listed twice")
            seen.add(cafe.id)
        experts = [e.user_id for c in cafes for e in c.experts]
        if len(experts) != len(set(experts)):
            raise ValueError("an expert belongs to one cafe: a user id is listed under two")
        return cafes


def load_cafes(path: Path) -> list[CafeSpec]:
    """The cafes the file lists; raises CafeFileError naming what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CafeFileError(f"{path}: cannot read it ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CafeFileError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return CafesFile.model_validate(raw or {}).cafes
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise CafeFileError(f"{path}: {problems}") from exc
