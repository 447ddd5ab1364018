"""The README's instance-format section is the schema's own rendering."""

from __future__ import annotations

from pathlib import Path

from hubnet.instance.schema import format_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_format_section_matches_the_schema():
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- format:start -->")[1].split("<!-- format:end -->")[0]
    assert section.strip() == format_markdown().strip()


def test_readme_starts_with_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "hubnet solve" in block
    assert "pytest" in block
