import pandas as pd

from ingest.reference.countries import country_table, resolve_country


def test_names_sources_print_resolve_to_iso3():
    assert resolve_country("Burma") == "MMR"
    assert resolve_country("Russia") == "RUS"
    assert resolve_country("Vietnam") == "VNM"
    assert resolve_country("World total (rounded)") == "WLD"
    assert resolve_country("Other") == "OTH"
    assert resolve_country("Other Asia, nes") == "TWN"  # Comtrade's label for Taiwan
    assert resolve_country("Atlantis") is None


def test_country_table_has_codes_and_groupings_from_the_library():
    table = country_table().set_index("iso3")
    assert table.is_eu27.sum() == 27
    assert table.loc["FRA", "is_eu27"] and not table.loc["GBR", "is_eu27"]
    assert table.loc["CHN", "m49_code"] == 156 and table.loc["JPN", "m49_code"] == 392
    assert table.loc["WLD", "is_aggregate"] and not table.loc["USA", "is_aggregate"]
    assert not table.loc["TWN", "is_aggregate"] and "S19" not in table.index
    # The untraceable first origin of origin tracing is a reserved group, never a country.
    assert table.loc["XXX", "is_aggregate"] and pd.isna(table.loc["XXX", "m49_code"])
    assert table.index.is_unique
