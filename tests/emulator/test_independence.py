"""tgemulator stands on its own: neither it nor its tests import the product (bot, knowledge, storage).

Checked two ways: a fresh interpreter imports the package and looks at what got loaded (catches any
import path, direct or not), and the sources of the emulator's tests are read for their imports.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PRODUCT = ("bot", "knowledge", "storage")
REPO = Path(__file__).resolve().parents[2]
TEST_SOURCES = [*sorted(Path(__file__).parent.glob("*.py")), REPO / "tests" / "emulator_fixtures.py"]


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a source file imports (relative imports stay inside its own package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_importing_tgemulator_loads_no_product_module() -> None:
    probe = f"import sys, tgemulator\nprint(sorted(m for m in sys.modules if m.split('.')[0] in {PRODUCT!r}))\n"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_emulator_tests_import_no_product_module() -> None:
    assert len(TEST_SOURCES) > 2  # the glob found this package
    offenders = {
        f"{path.relative_to(REPO)}: {name}"
        for path in TEST_SOURCES
        for name in imported_modules(path)
        if name.split(".")[0] in PRODUCT
    }
    assert offenders == set()
