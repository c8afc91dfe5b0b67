"""Project paths, anchored on this file so that notebooks, the CLI and tests agree."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: Mapping files of HR systems' own exports (shipped profiles and the analyst's own), docs/mapping.md.
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
#: The shipped profiles (``mappings/<name>.yaml``), each with a demo layout of that name
#: (``pilot_eval.demo_layouts``, ``pilot-eval demo-data --layout``).
PROFILES = ("teamtailor", "easycruit", "platsbanken")
#: The ingest report in a processed folder (here so that a notebook need not import ingest to find it).
INGEST_REPORT_NAME = "ingest_report.json"
