from pathlib import Path

from app.dashboards.engagement import STAGE_LABELS, rules_text

LADDER_DOC = Path(__file__).parents[2] / "docs" / "ladder.md"


def test_docs_state_the_rules_in_the_words_of_rules_text() -> None:
    text = LADDER_DOC.read_text(encoding="utf-8")
    for stage, rule in rules_text():
        assert f"- **{STAGE_LABELS[stage]}**: {rule}." in text
