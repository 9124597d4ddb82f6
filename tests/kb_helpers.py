"""Helpers shared by the tests/test_kb_*.py modules (fixture paths, a KB overlaid with a broken file)."""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "kb_fixture"
VALID = FIXTURE / "valid"
BROKEN = FIXTURE / "broken"
QUESTIONS = DATA / "questions.yaml"
REAL_DOCUMENTS = Path(__file__).parent.parent / "knowledge" / "documents"
REAL_FILES = ("luat-10-2022.yaml", "pl-34-2007.yaml", "nd-04-2015.yaml", "nd-60-2013.yaml")


def overlay(tmp_path: Path, case: str) -> Path:
    """A copy of the valid fixture with the files of broken/<case> laid over it."""
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    shutil.copytree(BROKEN / case, target, dirs_exist_ok=True)
    return target


def real_kb_missing() -> str | None:
    """Why the real knowledge base cannot be tested yet (None when all four files exist)."""
    missing = [name for name in REAL_FILES if not (REAL_DOCUMENTS / name).is_file()]
    return f"knowledge/documents/ lacks {', '.join(missing)} (written by other engineers)" if missing else None
