"""A tiny, valid, hand-written raw export that tests break one thing at a time.

Every value here is invented; the IDs are opaque strings. ``write_raw`` writes the tables
as canonical UTF-8 CSV unless told otherwise, after applying edits.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

VACANCIES = [
    # vacancy_id, administration, role_group, ssyk_code, employment_type, positions, is_manager,
    # statutory_check, published_date, closing_date, first_offer_date, accepted_date, start_date,
    # closed_date, status, readvertisement_of, check_in_ad
    [
        "vacancy_id",
        "administration",
        "role_group",
        "ssyk_code",
        "employment_type",
        "positions",
        "is_manager",
        "statutory_check",
        "published_date",
        "closing_date",
        "first_offer_date",
        "accepted_date",
        "start_date",
        "closed_date",
        "status",
        "readvertisement_of",
        "check_in_ad",
    ],
    [
        "R-a1",
        "UBF",
        "teacher",
        "2341",
        "permanent",
        "1",
        "false",
        "school_preschool",
        "2024-01-10",
        "2024-01-31",
        "2024-02-20",
        "2024-02-25",
        "2024-04-01",
        "2024-02-25",
        "filled",
        "",
        "true",
    ],
    [
        "R-a2",
        "VOF",
        "assistant_nurse",
        "5321",
        "fixed_term",
        "2",
        "false",
        "none",
        "2024-02-01",
        "2024-02-20",
        "",
        "",
        "",
        "2024-04-01",
        "readvertised",
        "",
        "false",
    ],
    [
        "R-a3",
        "VOF",
        "assistant_nurse",
        "5321",
        "fixed_term",
        "2",
        "false",
        "none",
        "2024-04-02",
        "2024-04-20",
        "2024-05-02",
        "2024-05-05",
        "2024-06-01",
        "2024-05-05",
        "filled",
        "R-a2",
        "false",
    ],
    [
        "R-a4",
        "SOF",
        "social_worker",
        "",
        "permanent",
        "1",
        "false",
        "none",
        "2025-12-01",
        "2026-03-15",
        "",
        "",
        "",
        "",
        "open",
        "",
        "true",
    ],
]
APPLICATIONS = [
    [
        "application_id",
        "vacancy_id",
        "submitted_date",
        "internal",
        "qualified",
        "highest_stage",
        "final_status",
        "withdrawn_date",
        "withdrawn_stage",
        "withdrawal_reason",
        "offer_date",
        "gender",
        "age_band",
    ],
    ["A-01", "R-a1", "2024-01-12", "false", "yes", "7", "hired", "", "", "", "2024-02-20", "woman", "25_34"],
    ["A-02", "R-a1", "2024-01-15", "true", "yes", "2", "withdrawn", "2024-02-01", "2", "other_job", "", "man", "35_44"],
    ["A-03", "R-a1", "2024-01-20", "false", "no", "1", "rejected", "", "", "", "", "woman", "u25"],
    ["A-04", "R-a2", "2024-02-03", "false", "yes", "0", "rejected", "", "", "", "", "", ""],
    ["A-05", "R-a3", "2024-04-05", "false", "yes", "6", "hired", "", "", "", "2024-05-02", "other_unknown", "55plus"],
    ["A-06", "R-a3", "2024-04-06", "false", "yes", "5", "declined_offer", "", "", "", "2024-05-02", "man", "45_54"],
    ["A-07", "R-a4", "2025-12-05", "false", "unknown", "4", "in_progress", "", "", "", "", "woman", "25_34"],
]
BACKGROUND_CHECKS = [
    ["check_id", "application_id", "check_type", "requested_date", "completed_date", "status", "outcome"],
    ["K-01", "A-01", "register_school", "2024-02-05", "2024-02-15", "completed", "cleared"],
    ["K-02", "A-07", "court_records", "2026-02-01", "", "pending", ""],
    ["K-03", "A-05", "register_other_children", "2024-04-25", "2024-04-29", "completed", "cleared"],
]
PILOT_ROLLOUT = [
    ["administration", "role_group", "scope", "check_type", "start_date", "end_date"],
    ["SOF", "all", "new_hires", "court_records", "2023-09-01", "2024-12-31"],
    ["UBF", "all", "new_hires", "court_records", "2023-09-01", "2024-12-31"],
    ["KOF", "all", "managers_financial", "court_and_credit", "2023-09-01", ""],
]
STAFFING_MONTHLY = [
    [
        "administration",
        "role_group",
        "month",
        "headcount_permanent",
        "headcount_temporary",
        "fte",
        "voluntary_leavers",
        "new_hires",
        "share_qualified",
        "hourly_hours",
        "vacant_posts",
    ],
    ["UBF", "teacher", "2024-01-01", "410", "35", "431.5", "3", "4", "0.81", "120.5", "6"],
    ["VOF", "assistant_nurse", "2024-01-01", "520", "80", "555.2", "6", "9", "0.7", "2210", "11"],
]

TABLES = {
    "vacancies": VACANCIES,
    "applications": APPLICATIONS,
    "background_checks": BACKGROUND_CHECKS,
    "pilot_rollout": PILOT_ROLLOUT,
    "staffing_monthly": STAFFING_MONTHLY,
}
CUT_DATE = "2026-02-28"


def table_rows(name: str) -> list[list[str]]:
    """A fresh copy of a table (header first) to edit."""
    return [list(r) for r in TABLES[name]]


def to_csv_text(rows: list[list[str]], sep: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_raw(
    directory: Path,
    overrides: dict[str, list[list[str]] | str | bytes | None] | None = None,
    *,
    sep: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Write the fixture export to ``directory``.

    ``overrides`` maps a table name to replacement rows, to raw text or bytes (written as
    is), or to None (the table's file is left out).
    """
    directory.mkdir(parents=True, exist_ok=True)
    overrides = overrides or {}
    for name, rows in TABLES.items():
        content = overrides.get(name, rows)
        if content is None:
            continue
        path = directory / f"{name}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_bytes(content.encode(encoding))
        else:
            path.write_bytes(to_csv_text(content, sep).encode(encoding))
    return directory
