"""`python -m hubnet.results [PATH]`: print models/results_format.md, or write it to PATH."""

from __future__ import annotations

import sys
from pathlib import Path

from hubnet.results.document import format_markdown

if __name__ == "__main__":
    text = format_markdown()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
