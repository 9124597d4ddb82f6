"""`hopthu … | head`: a reader that stops early is normal in a shell, not an error to print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The console script `hopthu` is exactly this: sys.exit(main()).
HOPTHU = "import sys; from bot.cli import main; sys.exit(main())"


def test_output_into_a_closed_pipe_ends_quietly() -> None:
    """The reading end is closed before the answer is printed (loading the knowledge base takes a
    moment), so writing it raises BrokenPipeError in the child."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOPTHU, "ask", "Những nội dung nào phải công khai cho nhân dân biết?"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    stderr = child.stderr.read().decode()
    child.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert child.returncode != 0  # the output did not all get through: a script piping on should know


def test_output_into_an_open_pipe_is_unchanged() -> None:
    done = subprocess.run([sys.executable, "-c", HOPTHU, "ask", "công khai"], cwd=ROOT,
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.strip() and not done.stderr
