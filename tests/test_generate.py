"""The generator (`hubnet.generate`) and the `japan-municipal` instance.

Expected values are computed here from the default instance and, where the project's shared
research data sits beside the repository (as on CI), from `shared/data`; never pasted from the
code's own output.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import pandas as pd
import pytest

import hubnet.generate as gen
from hubnet.instance import load_instance
from hubnet.network import build_lanes

ROOT = Path(__file__).resolve().parents[1]
JAPAN = ROOT / "instances" / "japan"
MUNICIPAL = ROOT / "instances" / "japan-municipal"
SHARED = ROOT.parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "japan_municipalities.csv").exists(), reason="shared/data is not beside the repo"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _default_national() -> pd.Series:
    supply = pd.read_csv(JAPAN / "supply.csv")
    return supply.groupby("commodity")["generation_t_per_yr"].sum()


def _default_by_prefecture() -> pd.Series:
    """The default's generation by (JIS prefecture code, commodity); ids are src_<code>_..."""
    supply = pd.read_csv(JAPAN / "supply.csv")
    supply["pref"] = supply["site"].str.slice(4, 6).astype(int)
    return supply.groupby(["pref", "commodity"])["generation_t_per_yr"].sum()


def _shared_municipalities() -> pd.DataFrame:
    m = pd.read_csv(SHARED / "japan_municipalities.csv", dtype={"jis_code": str})
    return m[m["is_municipality"].astype(bool)]


# ---------------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 sources, 9 hubs, 10 commodities (two generated grades), 26 origins (3 satellites)."""
    out = tmp_path_factory.mktemp("gen") / "small"
    return gen.generate(out, sources=120, hubs=9, commodities=10, origins=26, seed=7)


def test_generator_is_deterministic(small: Path, tmp_path: Path) -> None:
    again = gen.generate(
        tmp_path / "again", sources=120, hubs=9, commodities=10, origins=26, seed=7
    )
    assert _files(again) == _files(small)
    other = gen.generate(
        tmp_path / "other", sources=120, hubs=9, commodities=10, origins=26, seed=8
    )
    assert _files(other)["sites.csv"] != _files(small)["sites.csv"]
    assert _files(other)["supply.csv"] != _files(small)["supply.csv"]


def test_generated_instance_is_valid_with_the_sizes_asked_for(small: Path) -> None:
    inst = load_instance(small)
    kinds = inst.sites["kind"].value_counts()
    assert kinds["source"] == 120
    assert kinds["hub"] == 9
    assert kinds["origin"] == 26
    assert len(inst.commodities) == 10
    # the default's 8 grades and two generated ones
    default_ids = set(pd.read_csv(JAPAN / "commodities.csv")["id"])
    assert set(inst.commodities["id"]) == default_ids | {"grade_09", "grade_10"}
    # every hub has modular levels; every source has generation
    hubs = set(inst.sites.loc[inst.sites["kind"] == "hub", "id"])
    assert hubs <= set(inst.capacity_levels["facility"])
    assert set(inst.supply["site"]) == set(inst.sites.loc[inst.sites["kind"] == "source", "id"])


def test_generated_totals_are_the_national_totals(small: Path) -> None:
    inst = load_instance(small)
    got = inst.supply.groupby("commodity")["generation_t_per_yr"].sum()
    for commodity, total in _default_national().items():
        assert got[commodity] == pytest.approx(total, abs=1e-6)
    assert (got.drop(_default_national().index) > 0).all()  # the generated grades


def test_generated_instance_has_fewer_commodities_when_asked(tmp_path: Path) -> None:
    out = gen.generate(tmp_path / "k3", sources=30, hubs=5, commodities=3, origins=4, seed=1)
    inst = load_instance(out)
    first3 = list(pd.read_csv(JAPAN / "commodities.csv")["id"])[:3]
    assert list(inst.commodities["id"]) == first3
    assert (inst.sites["kind"] == "origin").sum() == 4
    assert set(inst.supply["commodity"]) == set(first3)


@needs_shared
def test_generation_follows_population_by_prefecture(tmp_path: Path) -> None:
    """With more sources than municipalities every municipality is drawn, so each prefecture
    generates its census share of the national total."""
    out = gen.generate(tmp_path / "all", sources=1800, hubs=12, commodities=8, origins=0, seed=3)
    inst = load_instance(out)
    prefs = pd.read_csv(SHARED / "japan_prefectures.csv").set_index("code")["population_2020"]
    supply = inst.supply.assign(pref=inst.supply["site"].str.slice(4, 6).astype(int))
    n_sources = supply.groupby("pref")["site"].nunique()
    got = supply.groupby(["pref", "commodity"])["generation_t_per_yr"].sum()
    for commodity, total in _default_national().items():
        for code, pop in prefs.items():
            want = total * pop / prefs.sum()
            # each source's amount is rounded to 1 kg
            assert got[(code, commodity)] == pytest.approx(want, abs=1e-3 * n_sources[code])


def test_generator_reads_the_default_from_a_folder_as_from_its_copy(
    small: Path, tmp_path: Path
) -> None:
    out = gen.generate(
        tmp_path / "from_folder", sources=120, hubs=9, commodities=10, origins=26, seed=7,
        base=JAPAN,
    )  # fmt: skip
    assert _files(out) == _files(small)


def test_shipped_copy_of_the_default_is_current() -> None:
    data = json.loads((ROOT / "src" / "hubnet" / "data" / "japan_base.json").read_text("utf-8"))
    on_disk = {p.name: p.read_text("utf-8") for p in JAPAN.glob("*.csv")}
    on_disk["instance.toml"] = (JAPAN / "instance.toml").read_text("utf-8")
    assert data["files"] == on_disk


def test_generator_does_not_read_shared_data() -> None:
    source = inspect.getsource(gen)
    assert "shared/data" not in source and "/work/" not in source


def test_generator_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        gen.generate(tmp_path / "x", sources=0, hubs=3, commodities=2, origins=1, seed=1)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path / "full", sources=5, hubs=3, commodities=2, origins=1, seed=1)


@needs_shared
def test_shipped_municipalities_match_the_shared_data() -> None:
    shipped = pd.read_csv(
        ROOT / "src" / "hubnet" / "data" / "municipalities.csv", dtype={"jis_code": str}
    )
    shared = _shared_municipalities().set_index("jis_code")
    assert len(shipped) == 1741
    assert set(shipped["jis_code"]) == set(shared.index)
    s = shipped.set_index("jis_code")
    assert (s["pref_code"] == shared.loc[s.index, "pref_code"]).all()
    assert (s["lat"] - shared.loc[s.index, "lat"]).abs().max() < 1e-6
    # the estimated population adds up to each prefecture's census count
    prefs = pd.read_csv(SHARED / "japan_prefectures.csv").set_index("code")["population_2020"]
    by_pref = shipped.groupby("pref_code")["pop_est_2020"].sum()
    assert (by_pref == prefs.loc[by_pref.index]).all()
    assert (shipped["pop_est_2020"] > 0).all()


# ---------------------------------------------------------------------------------------------
# The municipal instance
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def municipal():  # noqa: ANN201
    return load_instance(MUNICIPAL)


@needs_shared
def test_municipal_sources_are_the_1741_municipalities(municipal) -> None:  # noqa: ANN001
    sources = municipal.sites[municipal.sites["kind"] == "source"]
    assert len(sources) == 1741
    assert set(sources["id"]) == {f"m{j}" for j in _shared_municipalities()["jis_code"]}
    assert (municipal.sites["kind"] == "junction").sum() == 47


@needs_shared
def test_municipal_generation_by_prefecture_is_the_default(municipal) -> None:  # noqa: ANN001
    pref = dict(zip("m" + _shared_municipalities()["jis_code"],
                    _shared_municipalities()["pref_code"], strict=True))  # fmt: skip
    supply = municipal.supply.assign(pref=municipal.supply["site"].map(pref))
    got = supply.groupby(["pref", "commodity"])["generation_t_per_yr"].sum()
    want = _default_by_prefecture()
    assert set(got.index) == set(want.index)
    assert (got - want.loc[got.index]).abs().max() < 1e-6


def test_municipal_network_is_the_defaults(municipal) -> None:  # noqa: ANN001
    for name in ("commodities", "elements", "contents", "imports", "exports", "facilities",
                 "capacity_levels", "recovery", "modes"):  # fmt: skip
        assert (MUNICIPAL / f"{name}.csv").read_bytes() == (JAPAN / f"{name}.csv").read_bytes()
    default = load_instance(JAPAN)
    # the same collection rules, plus the two scale settings
    assert municipal.collection == dataclasses.replace(
        default.collection, whole_source=True, nearest_hubs=10
    )
    assert municipal.policy == default.policy
    # every default link is kept, with the prefecture sources renamed junctions
    rename = lambda s: "jct_" + s[4:] if s.startswith("src_") else s  # noqa: E731
    links = set(zip(municipal.links["from"], municipal.links["to"], municipal.links["mode"],
                    strict=True))  # fmt: skip
    for a, b, m in zip(default.links["from"], default.links["to"], default.links["mode"],
                       strict=True):  # fmt: skip
        assert tuple(sorted((rename(a), rename(b)))) + (m,) in links


@needs_shared
def test_islands_without_a_bridge_have_no_road(municipal) -> None:  # noqa: ANN001
    m = _shared_municipalities()
    names = {
        "佐渡市", "隠岐の島町", "西ノ島町", "海士町", "知夫村", "対馬市", "壱岐市", "五島市",
        "奄美市", "大島町", "八丈町", "小笠原村", "石垣市", "宮古島市", "屋久島町",
    }  # fmt: skip
    islands = {"m" + j for j in m.loc[m["name_ja"].isin(names), "jis_code"]}
    assert len(islands) == len(names)
    links = municipal.links
    touching = links[links["from"].isin(islands) | links["to"].isin(islands)]
    assert set(touching["mode"]) == {"coastal"}
    assert touching.groupby(touching["from"].where(touching["from"].isin(islands),
                                                   touching["to"])).size().eq(1).all()  # fmt: skip
    ports = set(municipal.sites.loc[municipal.sites["kind"] == "port", "id"])
    assert set(touching["from"]) - islands <= ports and set(touching["to"]) - islands <= ports


def test_okinawa_is_reached_by_ship_only(municipal) -> None:  # noqa: ANN001
    xy = municipal.sites.set_index("id")[["lat", "lon"]]
    road = municipal.links[municipal.links["mode"] == "road"]
    for a, b in zip(road["from"], road["to"], strict=True):
        south = [xy.at[s, "lat"] < 28.0 for s in (a, b)]  # Okinawa's islands lie south of 28 N
        assert south[0] == south[1], (a, b)


def test_every_municipality_has_a_collection_lane(municipal) -> None:  # noqa: ANN001
    lanes = build_lanes(municipal)
    collected = set(lanes.loc[lanes["stage"] == "collection", "origin"])
    sources = set(municipal.sites.loc[municipal.sites["kind"] == "source", "id"])
    missing = sources - collected
    # Ogasawara (m13421) lies ~950 km great-circle from the nearest port, so any route is
    # longer than the default's max_collection_km (800 km): it cannot have a lane.
    xy = municipal.sites.set_index("id")[["lat", "lon"]]
    ports = municipal.sites[municipal.sites["kind"] == "port"]
    for s in missing:
        gc = gen.great_circle_km(xy.at[s, "lat"], xy.at[s, "lon"], ports["lat"], ports["lon"])
        assert gc.min() > municipal.collection.max_collection_km, s
    assert missing <= {"m13421"}
