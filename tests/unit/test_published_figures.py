from ingest import settings
from ingest.landing import land_bytes, land_file
from ingest.sources import published_figures

HEADER = ",".join(published_figures.REQUIRED) + "\n"


def test_embedded_registers_parse_without_quarantine(tmp_path):
    figures = {}
    for path in sorted(settings.EMBEDDED_DIR.glob("published_figures/*.csv")):
        entry, _ = land_file(path, source="published_aggregate", landing_dir=tmp_path)
        result = published_figures.parse(entry)
        assert result.quarantined == [], [q.message() for q in result.quarantined]
        figures.update(result.rows.set_index("figure_id").value.to_dict())
    assert figures["cn_quota_mining_2024"] == 270_000
    assert figures["jp_imports_chn_2010"] == 90
    assert figures["fk_magnets_chn_2021"] == 84


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path):
    good = "ok1,stage_share,production_share_pct,CHN,,2023,2023,REO,mining,62,percent,d,IEA,,2024,false,false,high,\n"
    rows = [
        good,
        "ok1,stage_share,production_share_pct,CHN,,2023,2023,REO,mining,62,percent,d,IEA,,2024,false,false,high,\n",
        "p,stage_share,production_share_pct,CHN,,2023,2023,REO,mining,162,percent,d,IEA,,2024,false,false,high,\n",
        "u,stage_share,production_share_pct,XXX,,2023,2023,REO,mining,62,percent,d,IEA,,2024,false,false,high,\n",
        "s,stage_share,production_share_pct,CHN,,2023,2023,REO,smelting,62,percent,d,IEA,,2024,false,false,high,\n",
        "c,stage_share,production_share_pct,CHN,,2023,2023,REO,mining,62,percent,d,,,2024,false,false,high,\n",
    ]
    entry, _ = land_bytes((HEADER + "".join(rows)).encode(), source="published_aggregate",
                          name="bad.csv", landing_dir=tmp_path)
    result = published_figures.parse(entry)
    assert list(result.rows.figure_id) == ["ok1"]
    reasons = {q.row_number: q.reason for q in result.quarantined}
    assert "repeats line 2" in reasons[3]
    assert "out of range" in reasons[4]
    assert "'XXX' is not an ISO3 code" in reasons[5]
    assert "stage 'smelting'" in reasons[6]
    assert "must cite its source" in reasons[7]
    assert all(q.file_name == "bad.csv" for q in result.quarantined)
