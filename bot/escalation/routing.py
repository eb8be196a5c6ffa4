"""Choosing an expert: specialty match first, then the least open load, within capacity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    user_id: int
    specialties: tuple[str, ...]
    capacity: int
    open_load: int


def choose_expert(candidates: Iterable[Candidate], specialty: str | None,
                  exclude: Iterable[int] = ()) -> int | None:
    """The expert to receive a ticket, or None when everyone is excluded or full.

    Matching specialists beat the rest; among equals the one with the fewest open tickets wins,
    and the lowest id breaks ties so the choice is stable across replicas.
    """
    excluded = set(exclude)
    free = [c for c in candidates if c.user_id not in excluded and c.open_load < c.capacity]
    if not free:
        return None

    def rank(c: Candidate) -> tuple[int, int, int]:
        matches = specialty is not None and specialty in c.specialties
        return (0 if matches else 1, c.open_load, c.user_id)

    return min(free, key=rank).user_id
