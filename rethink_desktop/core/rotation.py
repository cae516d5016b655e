"""The equal voice: who speaks next, round after round, in seating order."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

ROTATION_RULES = 3
"""The rules a session started now follows; the ``started`` event records them.

1: the first rules. 2: someone who passes as the round's last offer is not handed the floor
straight back as their own second chance (nothing was said in between); that second chance
is used up and the rotation moves on. 3: more generally, a second chance waits until someone
has spoken since that person passed (two passes in a row handed the floor back to the first
as well); someone given the floor by a pick after passing has had their second chance; and
the floor does not move (next, pass, pick) while a space runs. (Every part of 3 landed
together: no build ever wrote 3 without all of them.)
A log replays under the rules it was started under.
"""


@dataclass
class Rotation:
    """Turn order round the circle.

    ``seats`` is the seating order; each round starts with ``starter`` and goes round once.
    A round ends when everyone after the last rotation position has been offered a turn;
    then, if ``second_chance`` is on, those who passed are offered the floor once more.
    Someone who arrives late joins at their seat: if the round has already gone past it,
    their first turn comes in the next round.
    """

    seats: Sequence[str]
    starter: str
    second_chance: bool = True
    round: int = 1
    offered: set[str] = field(default_factory=set)
    passed: list[str] = field(default_factory=list)
    second_offered: set[str] = field(default_factory=set)
    cursor: int = -1
    in_second_chance: bool = False
    # Which rules the session was started under (ROTATION_RULES); a log replays by its own.
    rules: int = 1
    # Rules 3: who passed this round with no one speaking since (no second chance yet).
    unheard: set[str] = field(default_factory=set)

    def order(self) -> list[str]:
        """Seats starting from the starter."""
        seats = list(self.seats)
        start = seats.index(self.starter) if self.starter in seats else 0
        return seats[start:] + seats[:start]

    def choose_next(self, eligible: Collection[str]) -> tuple[str, bool] | None:
        """Pick and mark the next speaker among ``eligible``; ``(id, second_chance)``."""
        if not any(pid in eligible for pid in self.seats):
            return None
        for _ in range(2):  # this round, then at most one fresh round
            chosen = self._next_in_round(eligible)
            if chosen is not None:
                return chosen
            if not self._round_has_activity():
                return None
            self.new_round()
        return None

    def _next_in_round(self, eligible: Collection[str]) -> tuple[str, bool] | None:
        order = self.order()
        if not self.in_second_chance:
            for index in range(self.cursor + 1, len(order)):
                pid = order[index]
                if pid in eligible and pid not in self.offered:
                    self.cursor = index
                    self.offered.add(pid)
                    return pid, False
            if not self.second_chance:
                return None
            self.in_second_chance = True
        due = self.second_chances_due(eligible)
        if not due:
            return None
        self.second_offered.add(due[0])
        return due[0], True

    def _round_has_activity(self) -> bool:
        return bool(self.offered) or self.cursor >= 0

    def new_round(self) -> None:
        """Start the next round from the starter (also used when the phase changes)."""
        if not self._round_has_activity():
            return
        self.round += 1
        self.offered = set()
        self.passed = []
        self.second_offered = set()
        self.cursor = -1
        self.in_second_chance = False
        self.unheard = set()

    def record_pass(self, pid: str, second_chance: bool, eligible: Collection[str]) -> None:
        """``pid`` passed (``eligible``: who is in the room). Their second chance waits until
        someone has spoken since (rules 3: ``unheard``); under rules 2, only the floor
        straight back to them is no second chance at all, so it counts as used up."""
        if not second_chance and pid not in self.passed:
            self.passed.append(pid)
        if not second_chance and self.rules >= 3:
            self.unheard.add(pid)
        if self.rules == 2 and self.peek_next(eligible) == (pid, True):
            self.second_offered.add(pid)

    def record_spoken(self) -> None:
        """A turn ended with something said (not a pass): those who passed before it may
        now be offered their second chance (rules 3)."""
        self.unheard.clear()

    def record_pick(self, pid: str) -> None:
        """A direct pick counts as this person's turn in the round (rules 3: and as their
        second chance, if they passed)."""
        self.offered.add(pid)
        if self.rules >= 3 and pid in self.passed:
            self.second_offered.add(pid)

    def still_to_speak(self, eligible: Collection[str]) -> list[str]:
        """Who the rotation will still reach this round, in order (second chances excluded)."""
        order = self.order()
        if self.in_second_chance:
            return []
        return [
            pid for pid in order[self.cursor + 1 :] if pid in eligible and pid not in self.offered
        ]

    def second_chances_due(self, eligible: Collection[str], *, spoken: bool = False) -> list[str]:
        """Who will still be offered a second chance this round, in order; ``spoken``: once
        the turn running now ends as spoken (rules 3: a passer waits for that)."""
        if not self.second_chance:
            return []
        waiting = set() if spoken else self.unheard
        return [
            pid
            for pid in self.passed
            if pid in eligible and pid not in self.second_offered and pid not in waiting
        ]

    def clone(self) -> Rotation:
        return Rotation(
            seats=self.seats,
            starter=self.starter,
            second_chance=self.second_chance,
            round=self.round,
            offered=set(self.offered),
            passed=list(self.passed),
            second_offered=set(self.second_offered),
            cursor=self.cursor,
            in_second_chance=self.in_second_chance,
            rules=self.rules,
            unheard=set(self.unheard),
        )

    def peek_next(
        self, eligible: Collection[str], *, spoken: bool = False
    ) -> tuple[str, bool] | None:
        """Who would come next, without marking anyone; ``spoken``: after the turn running
        now ends as spoken (as Space ends it)."""
        ahead = self.clone()
        if spoken:
            ahead.record_spoken()
        return ahead.choose_next(eligible)
