"""What the History and Dashboard screens show: paged session lists and period figures.

Plain SQL over the derived tables, no Qt. A session's *date* is when it started, or when it
was created if it never started (``coalesce(started_at, created_at)``, indexed by migration
``m002``). Period bounds are local calendar days, turned into UTC stamps so they compare with
the stored text directly and use the index.

The event log stores two things per session for these screens: ``sessions.balance_index``
(``rethink_desktop.core.metrics``) and a ``session_figures`` row of attendance and rating
totals, so the dashboard reads one row per session rather than every turn, participant and
rating. A session without a stored balance index (say, rows inserted straight into the
tables) has it computed from ``turns`` on the fly: figures are never wrong, only slower.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from rethink_desktop.core.clock import format_timestamp
from rethink_desktop.core.metrics import ATTENDANCE_KINDS, FIGURE_COLUMNS, talk_balance
from rethink_desktop.core.state import ATTENDED, RATING_FIELDS
from rethink_desktop.storage.database import Database, reads
from rethink_desktop.storage.records import RATINGS_SHOWN, attendance_counts_sql

# The expression the ``sessions_when`` index is built on; queries must spell it the same way.
WHEN = "coalesce(s.started_at, s.created_at)"
WHEN_INDEXED = "coalesce(started_at, created_at)"

STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "completed": ("completed",),
    "abandoned": ("abandoned",),
    "in_progress": ("checked_in", "running", "paused", "closing"),
    "prepared": ("draft",),
}
BALANCE_BINS = 10  # the distribution is counted in tenths: 0.0–0.1 … 0.9–1.0

_ATTENDED_SQL = ", ".join(f"'{value}'" for value in sorted(ATTENDED))
_CHUNK = 500  # ids per ``IN (…)``: well under SQLite's variable limit


@dataclass(frozen=True)
class HistoryFilters:
    """What the History list is narrowed to; the defaults show every real session."""

    date_from: date | None = None  # first local day, inclusive
    date_to: date | None = None  # last local day, inclusive
    kind: str | None = None  # family_network, thematic, post_proceedings
    statuses: tuple[str, ...] = ()  # empty: any status
    demo: bool | None = False  # False real only, True demo only, None both
    reference: str = ""  # part of the reference, any case

    def with_(self, **changes: Any) -> HistoryFilters:
        return replace(self, **changes)


def day_start(day: date) -> str:
    """Local midnight at the start of ``day`` as a stored UTC stamp."""
    return format_timestamp(datetime.combine(day, time.min).astimezone())


# Bounds are kept within the days whose local midnight is a four-digit UTC year (stamps compare
# as text only then; a day spare for the time zone) and whose next day is still a date, so
# the far ends a date box allows (1 Jan 0001, 31 Dec 9999) read as "from the start" or "to
# the end" rather than failing.
_FIRST_DAY = date(1000, 1, 2)
_LAST_DAY = date.max - timedelta(days=1)


def _within(day: date) -> date:
    return min(max(day, _FIRST_DAY), _LAST_DAY)


def _period_sql(date_from: date | None, date_to: date | None, params: dict[str, Any]) -> list[str]:
    where = []
    if date_from is not None:
        params["from"] = day_start(_within(date_from))
        where.append(f"{WHEN} >= :from")
    if date_to is not None:
        params["to"] = day_start(_within(date_to) + timedelta(days=1))
        where.append(f"{WHEN} < :to")
    return where


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(filters: HistoryFilters) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    where = _period_sql(filters.date_from, filters.date_to, params)
    if filters.kind:
        params["kind"] = filters.kind
        where.append("s.kind = :kind")
    if filters.statuses:
        names = []
        for n, status in enumerate(filters.statuses):
            params[f"status{n}"] = status
            names.append(f":status{n}")
        where.append(f"s.status IN ({', '.join(names)})")
    if filters.demo is not None:
        params["demo"] = int(filters.demo)
        where.append("s.demo = :demo")
    search = filters.reference.strip()
    if search:
        # LIKE is case-insensitive for ASCII, which is what references are made of.
        params["reference"] = f"%{_like_escape(search)}%"
        where.append("s.reference LIKE :reference ESCAPE '\\'")
    return (" WHERE " + " AND ".join(where)) if where else "", params


@reads
def _read(db: Database, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()) -> list[Any]:
    """Rows of one query; environment failures arrive as ``StorageError``."""
    return db.execute(sql, params).fetchall()


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# --- the balance index ----------------------------------------------------------------------
def compute_balances(db: Database, session_ids: Sequence[str]) -> dict[str, float | None]:
    """The balance index of each session, computed from its ``participants`` and ``turns``."""
    out: dict[str, float | None] = {}
    for chunk in _chunks(list(session_ids)):
        marks = ", ".join("?" for _ in chunk)
        attended: dict[str, list[str]] = {sid: [] for sid in chunk}
        for sid, pid in _read(
            db,
            f"SELECT session_id, id FROM participants WHERE session_id IN ({marks})"
            f" AND attendance IN ({_ATTENDED_SQL}) ORDER BY session_id, seat",
            list(chunk),
        ):
            attended[sid].append(pid)
        turns: dict[str, list[tuple[str, float | None, bool]]] = {sid: [] for sid in chunk}
        for sid, pid, seconds, passed in _read(
            db,
            "SELECT session_id, participant_id, seconds, passed FROM turns"
            f" WHERE session_id IN ({marks}) ORDER BY session_id, seq",
            list(chunk),
        ):
            turns[sid].append((pid, seconds, bool(passed)))
        for sid in chunk:
            out[sid] = talk_balance(attended[sid], turns[sid])
    return out


def refresh_balance_index(db: Database, session_ids: Sequence[str] | None = None) -> int:
    """Store ``sessions.balance_index`` computed from the tables (all sessions by default).

    For rows written without the event log (an import, a migration); run it inside the
    caller's transaction. Returns how many sessions were updated.
    """
    if session_ids is None:
        session_ids = [row[0] for row in _read(db, "SELECT id FROM sessions")]
    balances = compute_balances(db, session_ids)
    for sid, value in balances.items():
        db.execute("UPDATE sessions SET balance_index = ? WHERE id = ?", [value, sid])
    return len(balances)


def _fill_missing_balances(db: Database, rows: list[dict[str, Any]]) -> None:
    """Compute the balance of rows that have talk time but no stored index."""
    missing = [r["id"] for r in rows if r["balance_index"] is None and r["started_at"]]
    if missing:
        for sid, value in compute_balances(db, missing).items():
            for row in rows:
                if row["id"] == sid:
                    row["balance_index"] = value


# --- per-session totals for the dashboard ---------------------------------------------------
def refresh_session_figures(db: Database) -> int:
    """Rewrite every ``session_figures`` row from the tables (a migration, a repair)."""
    attendance = ", ".join(
        f"(SELECT count(*) FROM participants p WHERE p.session_id = s.id"
        f" AND p.attendance = '{kind}')"
        for kind in ATTENDANCE_KINDS
    )
    ratings = ", ".join(
        f"(SELECT coalesce(sum({name}), 0) FROM ratings r WHERE r.session_id = s.id), "
        f"(SELECT count({name}) FROM ratings r WHERE r.session_id = s.id)"
        for name in RATING_FIELDS
    )
    db.execute("DELETE FROM session_figures")
    cursor = db.execute(
        f"""INSERT INTO session_figures (session_id, {", ".join(FIGURE_COLUMNS)})
            SELECT s.id,
                (SELECT count(*) FROM participants p WHERE p.session_id = s.id), {attendance},
                (SELECT count(*) FROM ratings r WHERE r.session_id = s.id), {ratings}
            FROM sessions s"""
    )
    return cursor.rowcount


# --- the History list -----------------------------------------------------------------------
def count_sessions(db: Database, filters: HistoryFilters | None = None) -> int:
    """How many sessions match ``filters``."""
    where, params = _where(filters or HistoryFilters())
    return _read(db, f"SELECT count(*) FROM sessions s{where}", params)[0][0]


_PAGE = f"""
WITH page AS (
    SELECT s.id, {WHEN} AS date, s.kind, s.reference, s.status, s.demo, s.scheduled_for,
           s.started_at, s.ended_at, s.abandoned_reason, s.way_forward, s.balance_index,
           s.names_removed
    FROM sessions s{{where}}
    ORDER BY {WHEN} DESC, s.id DESC
    LIMIT :limit OFFSET :offset
)
SELECT page.*,
    {attendance_counts_sql("page.id")},
    (SELECT coalesce(sum(i.seconds), 0) FROM intervals i
        WHERE i.session_id = page.id AND i.kind = 'pause') AS paused_seconds
FROM page
ORDER BY page.date DESC, page.id DESC
"""

_PAGE_COLUMNS = (
    "id", "date", "kind", "reference", "status", "demo", "scheduled_for", "started_at",
    "ended_at", "abandoned_reason", "way_forward", "balance_index", "names_removed",
    "participants", "present", "late", "left_early", "paused_seconds",
)  # fmt: skip


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def page(
    db: Database, filters: HistoryFilters | None, offset: int, limit: int
) -> list[dict[str, Any]]:
    """One page of matching sessions, newest first.

    Each dict: ``id``, ``date`` (UTC stamp: started, else created), ``kind``, ``reference``,
    ``status``, ``demo`` (bool), ``scheduled_for``, ``started_at``, ``ended_at``,
    ``abandoned_reason``, ``way_forward``, ``names_removed`` (bool), ``participants``
    (invited), ``present`` (attended),
    ``duration_seconds`` (ended − started without pauses; None until it has ended) and
    ``balance_index`` (None before anyone spoke).
    """
    where, params = _where(filters or HistoryFilters())
    params.update(limit=max(0, limit), offset=max(0, offset))
    rows = [
        dict(zip(_PAGE_COLUMNS, values, strict=True))
        for values in _read(db, _PAGE.format(where=where), params)
    ]
    for row in rows:
        row["demo"] = bool(row["demo"])
        row["names_removed"] = bool(row["names_removed"])
        paused = row.pop("paused_seconds") or 0.0
        if row["started_at"] and row["ended_at"]:
            total = _seconds_between(row["started_at"], row["ended_at"])
            row["duration_seconds"] = max(0.0, total - paused)
        else:
            row["duration_seconds"] = None
    _fill_missing_balances(db, rows)
    return rows


def next_reference(db: Database, prefix: str) -> str:
    """``prefix`` and the lowest number from 001 that no session's reference has (in any
    case): each demo run gets its own reference, so ``export --session DEMO-002`` picks one."""
    rows = _read(
        db,
        "SELECT upper(reference) FROM sessions WHERE reference LIKE :p || '%'",
        {"p": prefix},
    )
    taken = {row[0] for row in rows}
    n = 1
    while f"{prefix}{n:03d}".upper() in taken:
        n += 1
    return f"{prefix}{n:03d}"


def sessions_called(db: Database, name: str) -> list[dict[str, Any]]:
    """The sessions ``name`` picks out (``export --session``): the one whose id it is, else
    every one with it as its reference, both in any case; newest first, each with ``id``,
    ``reference``, ``status`` and ``date`` as the History list has them."""
    name = name.strip()
    # NOCASE folds ASCII only, which is what ids and references are made of.
    rows = _read(
        db,
        f"SELECT s.id, s.reference, s.status, {WHEN} AS date FROM sessions s"
        " WHERE s.id = :name COLLATE NOCASE OR s.reference = :name COLLATE NOCASE"
        f" ORDER BY {WHEN} DESC, s.id DESC",
        {"name": name},
    )
    found = [dict(zip(("id", "reference", "status", "date"), row, strict=True)) for row in rows]
    by_id = [row for row in found if row["id"].lower() == name.lower()]
    return by_id or found


# --- the Dashboard --------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthFigures:
    """One month of held sessions: the averages of the ratings given, and of the balance.

    A month without sessions between the first and the last has ``sessions`` 0 and no averages.
    """

    month: str  # "2026-03", local time
    sessions: int
    ratings: int  # rating rows (one per person rated)
    communication: float | None
    compassion: float | None
    clarity: float | None
    heard: float | None
    balance: float | None

    def average(self, name: str) -> float | None:
        return getattr(self, name)


@dataclass(frozen=True)
class DashboardData:
    """Figures for one period. Averages are None when nothing was recorded to average."""

    period_from: date | None
    period_to: date | None
    include_demo: bool
    sessions_held: int  # sessions that started in the period
    completed: int
    abandoned: int  # of those held
    months: list[MonthFigures] = field(default_factory=list)
    ratings: dict[str, float | None] = field(default_factory=dict)  # whole period
    rating_count: int = 0
    pulse_start: float | None = None  # average, sessions with both pulses
    pulse_end: float | None = None
    pulse_change: float | None = None  # average of end − start; negative = calmer
    pulse_sessions: int = 0
    balance_average: float | None = None
    balance_sessions: int = 0
    balance_distribution: tuple[int, ...] = (0,) * BALANCE_BINS
    attendance: dict[str, int] = field(default_factory=dict)  # ATTENDANCE_KINDS → people
    by_kind: dict[str, int] = field(default_factory=dict)
    way_forward: dict[str, int] = field(default_factory=dict)  # yes / partly / not_yet

    @property
    def invited(self) -> int:
        return sum(self.attendance.values())

    def attendance_rate(self, kind: str) -> float | None:
        """Share of everyone invited to held sessions whose attendance was ``kind``."""
        return self.attendance.get(kind, 0) / self.invited if self.invited else None


def _held_where(
    period_from: date | None, period_to: date | None, include_demo: bool
) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    where = [*_period_sql(period_from, period_to, params), "s.started_at IS NOT NULL"]
    if not include_demo:
        where.append("s.demo = 0")
    return " WHERE " + " AND ".join(where), params


def balance_bin(value: float) -> int:
    """Which tenth a balance index falls in (1.0 counts with 0.9–1.0)."""
    return min(BALANCE_BINS - 1, max(0, int(value * BALANCE_BINS)))


RATING_COLUMN_PREFIXES = ("ratings", *RATING_FIELDS)  # the rating columns of session_figures


def _mean(total: float, n: int) -> float | None:
    return total / n if n else None


# Totals per month of the held sessions, from their ``session_figures`` rows; the month is
# local, like the period bounds. LEFT JOIN keeps the sessions as the outer loop.
_BY_MONTH = """
SELECT strftime('%Y-%m', s.started_at, 'localtime') AS month, count(*),
       {figures},
       sum(s.balance_index), count(s.balance_index),
       sum(CASE WHEN s.pulse_end IS NOT NULL THEN s.pulse_start END),
       sum(CASE WHEN s.pulse_start IS NOT NULL THEN s.pulse_end END),
       count(CASE WHEN s.pulse_start IS NOT NULL THEN s.pulse_end END)
FROM sessions s LEFT JOIN session_figures f ON f.session_id = s.id{where}
GROUP BY month
"""
# Counts by kind, status, way forward and tenth of the balance index: a few dozen rows.
_BY_KIND = f"""
SELECT s.kind, s.status, s.way_forward,
       min({BALANCE_BINS - 1}, CAST(s.balance_index * {BALANCE_BINS} AS INTEGER)), count(*)
FROM sessions s{{where}}
GROUP BY 1, 2, 3, 4
"""


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive, as "YYYY-MM"."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def dashboard(
    db: Database,
    period_from: date | None = None,
    period_to: date | None = None,
    include_demo: bool = False,
) -> DashboardData:
    """The dashboard's figures for sessions *held* (started) in the period, local days inclusive.

    Rating averages are over every rating given (one per person rated; skipped questions
    left out); the balance average is over sessions in which someone spoke.
    """
    where, params = _held_where(period_from, period_to, include_demo)
    # A close in progress keeps its ratings back (core.state.ratings_withheld).
    figures = ", ".join(
        f"coalesce(sum(CASE WHEN {RATINGS_SHOWN} THEN f.{column} END), 0)"
        if column.startswith(RATING_COLUMN_PREFIXES)
        else f"sum(f.{column})"
        for column in FIGURE_COLUMNS
    )
    width = len(FIGURE_COLUMNS)
    months_rows = _read(db, _BY_MONTH.format(figures=figures, where=where), params)
    col = {name: 2 + i for i, name in enumerate(FIGURE_COLUMNS)}
    by_kind: dict[str, int] = {}
    way_forward: dict[str, int] = {}
    distribution = [0] * BALANCE_BINS
    completed = abandoned = 0
    for kind, status, way, tenth, n in _read(db, _BY_KIND.format(where=where), params):
        by_kind[kind] = by_kind.get(kind, 0) + n
        completed += n if status == "completed" else 0
        abandoned += n if status == "abandoned" else 0
        if way:
            way_forward[way] = way_forward.get(way, 0) + n
        if tenth is not None:
            distribution[tenth] += n

    # Sessions held without a stored balance index (nobody spoke, or rows written without
    # the event log): computed from their turns, usually none or a handful.
    month_balance = {row[0]: [row[2 + width] or 0.0, row[3 + width]] for row in months_rows}
    missing = _read(
        db,
        f"SELECT s.id, strftime('%Y-%m', s.started_at, 'localtime') FROM sessions s{where}"
        " AND s.balance_index IS NULL",
        params,
    )
    if missing:
        month_of = dict(missing)
        for sid, value in compute_balances(db, list(month_of)).items():
            if value is not None:
                month_balance[month_of[sid]][0] += value
                month_balance[month_of[sid]][1] += 1
                distribution[balance_bin(value)] += 1

    def total(name: str) -> int:
        return sum(row[col[name]] or 0 for row in months_rows)

    held = {
        row[0]: MonthFigures(
            row[0],
            row[1],
            row[col["ratings"]] or 0,
            *(
                _mean(row[col[f"{name}_sum"]] or 0, row[col[f"{name}_n"]] or 0)
                for name in RATING_FIELDS
            ),
            _mean(*month_balance[row[0]]),
        )
        for row in months_rows
    }
    # Every month from the first held to the last, so the chart spaces months evenly and
    # breaks its line over a month without sessions instead of joining across it.
    span = month_range(min(held), max(held)) if held else []
    empty = (None,) * (len(RATING_FIELDS) + 1)  # no rating averages, no balance
    months = [held.get(month) or MonthFigures(month, 0, 0, *empty) for month in span]
    pulse_start = sum(row[4 + width] or 0 for row in months_rows)
    pulse_end = sum(row[5 + width] or 0 for row in months_rows)
    n_pulse = sum(row[6 + width] for row in months_rows)
    balance_sum = sum(v[0] for v in month_balance.values())
    balance_n = sum(v[1] for v in month_balance.values())
    return DashboardData(
        period_from=period_from,
        period_to=period_to,
        include_demo=include_demo,
        sessions_held=sum(row[1] for row in months_rows),
        completed=completed,
        abandoned=abandoned,
        months=months,
        ratings={name: _mean(total(f"{name}_sum"), total(f"{name}_n")) for name in RATING_FIELDS},
        rating_count=total("ratings"),
        pulse_start=_mean(pulse_start, n_pulse),
        pulse_end=_mean(pulse_end, n_pulse),
        pulse_change=_mean(pulse_end - pulse_start, n_pulse),
        pulse_sessions=n_pulse,
        balance_average=_mean(balance_sum, balance_n),
        balance_sessions=balance_n,
        balance_distribution=tuple(distribution),
        attendance={kind: total(kind) for kind in ATTENDANCE_KINDS},
        by_kind=by_kind,
        way_forward=way_forward,
    )
