"""`generate`: draw an instance, assemble its tables and write the folder."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from hubnet.export.tables import atomic_folder
from hubnet.generate.draw import (
    draw_commodities,
    draw_hub_terms,
    draw_hubs,
    draw_origins,
    draw_sources,
)
from hubnet.generate.network import (
    Network,
    access_links,
    junction_network,
    links_frame,
    point_frame,
)
from hubnet.generate.shipped import (
    Base,
    land_geometry,
    load_municipalities,
    load_prefectures,
    load_site_landmass,
    read_base,
)
from hubnet.generate.text import fmt, split_milli, table_text, write_folder

logger = logging.getLogger(__name__)

#: hubs per source in generated instances: each source's cheapest few, a trade-off of model
#: size against cost measured by `bench/nearest.py`
SCALE_NEAREST_HUBS = 10


@dataclass(frozen=True)
class Size:
    """What to generate: counts of each kind and the seed of every random draw."""

    sources: int
    hubs: int
    commodities: int
    origins: int
    seed: int

    @property
    def name(self) -> str:
        s = self
        return f"generated-{s.sources}s-{s.hubs}h-{s.commodities}k-{s.origins}f-seed{s.seed}"


@dataclass(frozen=True)
class Drawn:
    """The random part of an instance; the rest is taken from the base as it is."""

    commodities: pd.DataFrame
    contents: pd.DataFrame
    national: dict[str, float]
    template_of: dict[str, str]
    sources: pd.DataFrame
    hub_sites: pd.DataFrame
    hub_facilities: list[dict]
    hub_levels: list[dict]
    origin_sites: pd.DataFrame
    imports: pd.DataFrame
    origin_links: dict[tuple[str, str, str], str]


def generate(
    out_dir: Path | str,
    sources: int,
    hubs: int,
    commodities: int,
    origins: int,
    seed: int,
    *,
    base: Path | str | None = None,
) -> Path:
    """Write a generated instance folder at `out_dir` (new or empty) and return its path.

    `sources` source points, `hubs` candidate hubs, `commodities` grades and `origins` foreign
    origins, drawn with `numpy.random.default_rng(seed)`: the same arguments give
    byte-identical folders. `base` is the instance to take the network, smelters, ports,
    origins, market, commodities and settings from (default: the shipped copy of
    `instances/japan`). The folder is written to a temporary sibling and renamed.
    """
    size = Size(sources, hubs, commodities, origins, seed)
    _check_size(size)
    out_dir = Path(out_dir)
    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir}: already exists and is not an empty folder")
    b = read_base(Path(base) if base is not None else None)
    prefs = load_prefectures()
    net = junction_network(b, prefs, load_site_landmass())
    drawn = _draw(b, net, prefs, size)
    files = _files(b, net, prefs, drawn, size)
    with atomic_folder(out_dir) as tmp:
        write_folder(tmp, files)
    logger.info("wrote %s to %s", size.name, out_dir)
    return out_dir


def _check_size(size: Size) -> None:
    for label, least in (("sources", 1), ("hubs", 1), ("commodities", 1), ("origins", 0)):
        value = getattr(size, label)
        if int(value) != value or value < least:
            raise ValueError(f"{label} must be an integer >= {least}, not {value!r}")


def _draw(b: Base, net: Network, prefs: pd.DataFrame, size: Size) -> Drawn:
    """Every random draw, in a fixed order (the order is part of what a seed reproduces)."""
    rng = np.random.default_rng(size.seed)
    munis = load_municipalities()
    com, contents, national, template_of = draw_commodities(b, size.commodities, rng)
    src = draw_sources(munis, prefs, size.sources, rng)
    hub_sites = draw_hubs(b, munis, prefs, net, size.hubs, rng)
    hub_fac, hub_levels = draw_hub_terms(b, hub_sites, net, rng)
    origin_sites, imports, origin_links = draw_origins(b, size.origins, set(com["id"]), rng)
    return Drawn(
        com,
        contents,
        national,
        template_of,
        src,
        hub_sites,
        hub_fac,
        hub_levels,
        origin_sites,
        imports,
        origin_links,
    )


def _files(b: Base, net: Network, prefs: pd.DataFrame, d: Drawn, size: Size) -> dict[str, str]:
    """The text of every file of the instance folder."""
    smelters = _smelters(b, d)
    kept_smelters = set(smelters["site"])
    levels = b.tables["capacity_levels"]
    levels = pd.concat(
        [levels[levels["facility"].isin(kept_smelters)], pd.DataFrame(d.hub_levels)],
        ignore_index=True,
    )
    contained = set(d.contents.loc[d.contents["content_g_per_t"].astype(float) > 0, "element"])
    elements = b.tables["elements"]
    recovery = b.tables["recovery"]
    exports = b.tables["exports"]
    sites = _sites(net, prefs, d, kept_smelters)
    facilities = pd.concat([smelters, pd.DataFrame(d.hub_facilities)])
    return {
        "sites.csv": table_text("sites", sites),
        "commodities.csv": table_text("commodities", d.commodities),
        "elements.csv": table_text("elements", elements[elements["id"].isin(contained)]),
        "contents.csv": table_text("contents", d.contents),
        "supply.csv": table_text("supply", _supply(d)),
        "imports.csv": table_text("imports", d.imports),
        "exports.csv": table_text(
            "exports", exports[exports["commodity"].isin(d.commodities["id"])]
        ),
        "facilities.csv": table_text("facilities", facilities),
        "capacity_levels.csv": table_text("capacity_levels", levels),
        "recovery.csv": table_text(
            "recovery",
            recovery[
                recovery["facility"].isin(kept_smelters) & recovery["element"].isin(contained)
            ],
        ),
        "modes.csv": table_text("modes", b.tables["modes"]),
        "links.csv": table_text("links", links_frame(_links(net, sites, d))),
        **_economics(b, kept_smelters, set(d.commodities["id"]), contained),
        "instance.toml": tomli_w.dumps(_settings(b, d, size)),
    }


def _economics(b: Base, smelters: set[str], kept: set[str], contained: set[str]) -> dict[str, str]:
    """The default's payable terms of the kept smelters and grades (imports without a price are
    bought at them) and its freight bands."""
    out = {}
    terms, payables = b.tables["terms"], b.tables["payables"]
    if len(terms):
        at = terms["smelter"].isin(smelters) & terms["commodity"].isin(kept)
        out["terms.csv"] = table_text("terms", terms[at])
    if len(payables):
        at = (
            payables["smelter"].isin(smelters)
            & payables["commodity"].isin(kept)
            & payables["element"].isin(contained)
        )
        out["payables.csv"] = table_text("payables", payables[at])
    if len(b.tables["freight_bands"]):
        out["freight_bands.csv"] = table_text("freight_bands", b.tables["freight_bands"])
    return out


def _smelters(b: Base, d: Drawn) -> pd.DataFrame:
    """The base's smelters, taking the kept grades and generated grades like them."""
    fac = b.tables["facilities"]
    smelters = fac[fac["role"] == "smelter"].copy()
    acc = []
    for cell in smelters["accepts"]:
        items = [x.strip() for x in cell.split(";") if x.strip()]
        like = [c for c in d.commodities["id"] if d.template_of[c] in items]
        acc.append("*" if "*" in items else ";".join(like))
    smelters["accepts"] = acc
    return smelters[smelters["accepts"] != ""]


def _sites(net: Network, prefs: pd.DataFrame, d: Drawn, kept_smelters: set[str]) -> pd.DataFrame:
    """The base's junctions, ports, market and kept smelters, the origins, hubs and sources."""
    base_sites = net.sites
    keep_kinds = base_sites["kind"].isin(["junction", "port", "market"])
    sites = [base_sites[keep_kinds | base_sites["id"].isin(kept_smelters)], d.origin_sites]
    region = prefs["region_en"]
    for df, kind in ((d.hub_sites, "hub"), (d.sources, "source")):
        sites.append(
            pd.DataFrame(
                {
                    "id": df["id"],
                    "name": df["name"],
                    "name_ja": df["name_ja"],
                    "kind": kind,
                    "lat": [fmt(x, 5) for x in df["lat"]],
                    "lon": [fmt(x, 5) for x in df["lon"]],
                    "country": "JP",
                    "region": [region[int(p)] for p in df["pref_code"]],
                }
            )
        )
    return pd.concat(sites, ignore_index=True)


def _supply(d: Drawn) -> pd.DataFrame:
    """National totals split by the population each source stands for."""
    src = d.sources
    supply = []
    for c, total in d.national.items():
        for sid, t in zip(src["id"], split_milli(total, src["weight"].to_numpy()), strict=True):
            if t > 0:
                supply.append({"site": sid, "commodity": c, "generation_t_per_yr": fmt(t, 3)})
    return pd.DataFrame(supply)


def _links(net: Network, sites: pd.DataFrame, d: Drawn) -> dict[tuple[str, str, str], str]:
    """The base's links between kept sites, then access roads for new hubs and sources."""
    keep_ids = set(sites["id"])
    links = {k: v for k, v in net.links.items() if k[0] in keep_ids and k[1] in keep_ids}
    links.update(d.origin_links)
    hub_sites, src = d.hub_sites, d.sources
    new_hubs = hub_sites[~hub_sites["id"].isin(net.place.index)]
    add = pd.DataFrame(
        {
            "lat": new_hubs["lat"].astype(float).to_numpy(),
            "lon": new_hubs["lon"].astype(float).to_numpy(),
            "pref": new_hubs["pref_code"].astype(int).to_numpy(),
            "landmass": new_hubs["landmass"].to_numpy(),
        },
        index=new_hubs["id"].to_numpy(),
    )
    place = pd.concat([net.place[net.place.index.isin(keep_ids)], add])
    net = dataclasses.replace(net, place=place, sites=sites)
    land = land_geometry()
    hub_points = point_frame(new_hubs["id"], new_hubs.assign(sea_port="", sea_km=""))
    links.update(access_links(hub_points, net, [], land, to_ports=True))
    src_points = point_frame(src["id"], src, lat=src["lat"], lon=src["lon"])
    links.update(access_links(src_points, net, hub_sites["id"], land))
    return links


def _settings(b: Base, d: Drawn, size: Size) -> dict:
    """The base's settings with the scale settings (README, "Large instances and speed"): one
    collection share per source and hub, and each source's SCALE_NEAREST_HUBS cheapest hubs."""
    settings = b.settings
    settings.setdefault("collection", {}).update(
        {"whole_source": True, "nearest_hubs": SCALE_NEAREST_HUBS}
    )
    settings["name"] = size.name
    settings["description"] = (
        f"Generated by hubnet.generate (seed {size.seed}): {size.sources} sources drawn from "
        f"Japan's municipalities by estimated population, {size.hubs} candidate hubs at Recycle "
        f"Ports and larger cities, {len(d.commodities)} commodities, {len(d.origin_sites)} "
        "foreign origins, and the default instance's smelters, ports, market, network and "
        "settings."
    )
    return settings
