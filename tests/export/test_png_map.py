"""map.png: a real PNG of report size, not blank, with the network drawn in mode colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageStat


def _count_near(pixels: np.ndarray, target: str, tol: int = 28) -> int:
    """Pixels within tol of a #rrggbb colour on every channel."""
    rgb = np.array([int(target[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels.astype(int) - rgb) < tol).all(axis=-1).sum())


def test_png_is_a_report_sized_image(maps_dir: Path) -> None:
    path = maps_dir / "map.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as img:
        assert img.format == "PNG"
        width, height = img.size
        assert width >= 1200 and height >= 700
        stat = ImageStat.Stat(img.convert("L"))
        assert stat.stddev[0] > 20  # far from blank
        pixels = np.asarray(img.convert("RGB"))
    counts = {
        name: _count_near(pixels, colour)
        for name, colour in {
            "coastal": "#1b9e77",
            "ocean": "#1f78b4",
            "road": "#d95f02",
            "hub": "#e31a1c",
            "sea": "#dbe9f3",
        }.items()
    }
    for name, n in counts.items():
        assert n > 100, (name, n)
    # the sea background covers a good part of both map panels
    assert counts["sea"] > 0.15 * width * height


def test_sites_in_the_nansei_islands_get_an_inset(result_dir: Path, tmp_path: Path) -> None:
    import shutil

    import pandas as pd

    from hubnet.export.png_map import build_figure
    from hubnet.export.routes import load_results

    plain = build_figure(load_results(result_dir))
    # the fixture's sites all lie north of 30N: map panel + import panel, no inset
    assert len(plain.axes) == 2 and not plain.axes[0].child_axes
    copy = tmp_path / "okinawa"
    shutil.copytree(result_dir, copy)
    sites = pd.read_csv(copy / "sites.csv")
    naha = {"id": "JPNAH", "name": "Naha port", "name_ja": "那覇港", "kind": "port"}
    naha |= {"lat": 26.2, "lon": 127.65, "country": "JP", "region": "japan"}
    pd.concat([sites, pd.DataFrame([naha])]).to_csv(copy / "sites.csv", index=False)
    fig = build_figure(load_results(copy))
    assert len(fig.axes) == 2 and len(fig.axes[0].child_axes) == 1
    inset = fig.axes[0].child_axes[0]
    x0, x1 = inset.get_xlim()
    y0, y1 = inset.get_ylim()
    assert x0 <= 127.65 <= x1 and y0 <= 26.2 <= y1
