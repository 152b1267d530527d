"""benchmarks/trade_years.py at a tiny size, so the script cannot rot: each year is staged alone
and rebuilt alone, and the re-run stages nothing and starts no dbt. Timings are not asserted."""

from __future__ import annotations

from benchmarks import trade_years


def test_years_landed_one_after_another_rebuild_only_themselves(tmp_path, capsys):
    assert trade_years.main(["--rows", "20000", "--years", "2", "--first-year", "2021",
                             "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:4] in ("2021", "2022", "re-r")}
    assert rows["2021"].endswith("  2021") and rows["2022"].endswith("  2022")  # each build: its own year
    assert rows["re-run"].endswith("none (dbt not started)")
    (forced,) = [line for line in out.splitlines() if line.startswith("(dbt forced on the re-run)")]
    assert forced.endswith("  none")  # dbt started anyway finds every year unchanged
    assert "SUMMARY rows=20,000/year years=2" in out and "worst_further_year=" in out
    assert not list(tmp_path.glob("input/*.csv"))  # each generated year deleted once landed
