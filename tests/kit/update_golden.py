"""Rewrite the golden files of tests/kit/test_render.py from the renderers as they are now.

    python tests/kit/update_golden.py

Run it only after changing an output format on purpose, and read the diff before committing: the
tests themselves never write these files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]  # the checkout's kit, and test_render beside this file

from test_render import RENDERERS, _render, golden_file  # noqa: E402


def main() -> int:
    os.environ.pop("GITHUB_STEP_SUMMARY", None)  # the github format would append its summary there
    for name in sorted(RENDERERS):
        path = golden_file(name)
        text = _render(name)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if text != old:
            path.write_text(text, encoding="utf-8")
        print(f"{'unchanged' if text == old else 'rewrote  '} {path.relative_to(HERE.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
