"""The README's set-up commands, and the instance format document as the schema renders it."""

from __future__ import annotations

from pathlib import Path

from hubnet.instance.schema import format_markdown

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FORMAT = ROOT / "models" / "instance_format.md"


def test_instance_format_document_matches_the_schema():
    assert FORMAT.read_text(encoding="utf-8") == format_markdown()


def test_readme_links_the_instance_format():
    assert "models/instance_format.md" in README.read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "hubnet solve" in block
    assert "pytest" in block
