"""map.html: self-contained page, and what a real (headless Chromium) browser draws from it.

The browser runs with every host name unresolvable, so the test also proves the network
renders offline (only the optional web tile layer is lost).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageStat

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no host name resolves
]


def _kinds(design: SimpleNamespace, kind: str) -> int:
    return sum(1 for s in design.SITES if s[3] == kind)


def test_html_is_self_contained(maps_dir: Path, design: SimpleNamespace) -> None:
    text = (maps_dir / "map.html").read_text(encoding="utf-8")
    # no script or stylesheet is loaded from elsewhere
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+stylesheet", text)
    assert "Leaflet 1.9.4" in text  # the inlined library keeps its licence header
    assert "url(images/" not in text  # Leaflet's images are inlined as data URIs
    # title: scenario, instance and the objective (2,345,600,000 JPY = 2.35 bn)
    assert "fixture_jp" in text and "base" in text
    assert f"¥{design.SUMMARY['objective_jpy_per_yr'] / 1e9:.2f} bn/yr" in text
    # popups carry English and Japanese names
    assert "Kawasaki hub (川崎ハブ)" in text
    assert "Naoshima smelter (直島製錬所)" in text


def test_names_that_look_like_templates_reach_the_page_as_written(
    result_dir: Path, tmp_path: Path
) -> None:
    """Site names are data: one holding Jinja syntax is drawn as written, not evaluated
    (`{{ ... }}` would vanish and an unclosed `{% raw %}` would stop the map)."""
    import pandas as pd

    from hubnet.export import write_maps

    folder = tmp_path / "results"
    shutil.copytree(result_dir, folder)
    odd = "Kawasaki {{ hub }} {% raw %} hub"
    sites = pd.read_csv(folder / "sites.csv", keep_default_na=False)
    sites.loc[sites["id"] == "H_KAWASAKI", "name"] = odd
    sites.to_csv(folder / "sites.csv", index=False)
    write_maps(folder, out_dir=tmp_path / "maps", formats=("html",))
    text = (tmp_path / "maps" / "map.html").read_text(encoding="utf-8")
    assert "Kawasaki {{ hub }} {% raw %} hub (川崎ハブ)" in text


class _PaneCounter(HTMLParser):
    """Counts elements by class inside each Leaflet pane of a dumped DOM."""

    VOID = {"img", "br", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, set[str]]] = []
        self.paths: Counter[tuple[str, str]] = Counter()  # (pane, class) -> n
        self.markers: Counter[str] = Counter()
        self.text: list[str] = []

    def _pane(self) -> str:
        """Innermost pane: Leaflet gives pane NAME the class leaflet-NAME-pane."""
        for _, classes in reversed(self.stack):
            for c in classes:
                if c.endswith("-pane") and c != "leaflet-pane":
                    return c
        return ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "path" and "leaflet-interactive" in classes:
            for c in classes:
                if c.startswith("hubnet-"):
                    self.paths[(self._pane(), c)] += 1
        if "leaflet-marker-icon" in classes:
            for c in classes:
                if c.startswith("hubnet-") and c != "hubnet-marker":
                    self.markers[c] += 1
        if tag not in self.VOID and not tag.endswith("/"):
            self.stack.append((tag, classes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _chromium(args: list[str], tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{name}"
    cmd = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
def test_browser_draws_routes_and_markers(
    maps_dir: Path, tmp_path: Path, design: SimpleNamespace
) -> None:
    url = (maps_dir / "map.html").resolve().as_uri()
    dom = _chromium(["--virtual-time-budget=5000", "--dump-dom", url], tmp_path, "dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    parser = _PaneCounter()
    parser.feed(dom.stdout)

    # every leg of every route is one interactive path in Leaflet's overlay pane
    assert parser.paths[("leaflet-overlay-pane", "hubnet-route")] == design.expected_legs == 27
    legs_by_mode = Counter(
        m for _, _, _, modes, _, by_c in design.LANES for m in modes.split(";") * len(by_c)
    )
    for mode, n in legs_by_mode.items():
        assert parser.paths[("leaflet-overlay-pane", f"hubnet-mode-{mode}")] == n, mode
    # hubs and sources are circle markers in the sites pane (all 3 hubs, incl. unused)
    n_hubs = sum(1 for f in design.FACILITIES if f[1] == "hub")
    assert parser.paths[("leaflet-hubnet-sites-pane", "hubnet-hub")] == n_hubs == 3
    assert parser.paths[("leaflet-hubnet-sites-pane", "hubnet-hub-unused")] == 1
    assert (
        parser.paths[("leaflet-hubnet-sites-pane", "hubnet-source")]
        == _kinds(design, "source")
        == 5
    )
    # smelters, ports, origins and markets are shaped marker icons
    assert parser.markers == Counter(
        {
            "hubnet-smelter": _kinds(design, "smelter"),
            "hubnet-port": _kinds(design, "port"),
            "hubnet-origin": _kinds(design, "origin"),
            "hubnet-market": _kinds(design, "market"),
        }
    )
    text = " ".join(parser.text)
    assert "Routes: pcb" in text and "Routes: sap" in text  # one layer per commodity
    assert "Transport mode" in text  # the legend
    assert "fixture_jp / base" in text  # the title

    shot = tmp_path / "map.png"
    res = _chromium(
        ["--virtual-time-budget=5000", f"--screenshot={shot}", "--window-size=1400,1000", url],
        tmp_path,
        "shot",
    )
    assert res.returncode == 0, res.stderr[-2000:]
    with Image.open(shot) as img:
        assert img.size == (1400, 1000)
        stat = ImageStat.Stat(img.convert("L"))
        assert stat.stddev[0] > 15  # not a blank page
        rgb = np.asarray(img.convert("RGB")).astype(int)
        # the coastal leg colour (#1b9e77) is on screen
        coastal = int((np.abs(rgb - np.array([0x1B, 0x9E, 0x77])) < 30).all(axis=-1).sum())
        assert coastal > 200
