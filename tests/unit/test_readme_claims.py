"""What the README says a source prints, checked against the source as committed: the register's
figures and the MCS 2025 transcription (tests/fixtures). The README's numbers are claims too."""

from __future__ import annotations

import csv
import re

from ingest import settings
from tests.conftest import REPO_ROOT, fixture_file

README = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())


def _register_row(file_name: str, figure_id: str) -> dict[str, str]:
    with open(settings.EMBEDDED_DIR / "published_figures" / file_name, newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["figure_id"] == figure_id)


def test_the_separation_share_left_unassigned_is_what_the_iea_sentence_leaves():
    # SEAISI prints China's 92 % and China, Malaysia and Australia's 98 % in one sentence: 2 %
    # is unassigned, not the 8 % the one country share would leave.
    china = _register_row("stage_shares.csv", "iea_refining_chn_2023")
    top3 = _register_row("stage_shares.csv", "iea_refining_top3_2023")
    assert (china["stage"], top3["stage"]) == ("separation", "separation")
    assert "mapped to the separation stage" in china["notes"] and "mapped to the separation stage" in top3["notes"]
    unassigned = 100 - int(top3["value"])
    assert f"{unassigned} % is unassigned" in README and "8 % of output unassigned" not in README


def test_the_readme_names_every_country_footnote_12_marks():
    # MCS 2025's world table fuses the footnote digits into the numbers ("1216,000" = 12 + 16,000);
    # a country marked 12 has both production cells prefixed with 12.
    table = fixture_file("usgs-mcs2025-raree-transcription", "mcs2025-rare-earths.marker.md").read_text(
        encoding="utf-8")
    marked = {cells[0] for cells in (
        [c.strip() for c in line.strip("|").split("|")] for line in table.splitlines() if line.startswith("|"))
        if len(cells) >= 3 and cells[1].startswith("12") and cells[2].startswith("12")}
    [named] = re.findall(r"footnote 12 marks \"[^\"]+\" \(MCS 2025, world table: ([^;]+);", README)
    assert len(marked) == 7
    assert set(re.split(r", (?:and )?| and ", named)) == marked
