"""The roadmap figure's base map: only the outlines in view are drawn, and nothing seen is lost."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from hubnet.export import png_years
from hubnet.export.png_map import BORDER, LAND, LAND_JP


def _square(x: float, y: float) -> MplPath:
    return MplPath([(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)], closed=True)


def test_only_outlines_meeting_the_view_and_its_margin_are_kept() -> None:
    inside, margin, outside = _square(0, 0), _square(2.3, 0), _square(10, 10)
    paths = (inside, margin, outside)
    boxes = np.array([p.get_extents().extents for p in paths])
    # the view ends at lon 2: the square from 2.3 is within the 0.5-degree margin, 10 is not
    kept = png_years._in_view(paths, boxes, (0.5, 2.0, 0.5, 2.0))
    assert kept == [inside, margin]


def _pixels(draw) -> np.ndarray:  # noqa: ANN001 - a function of an Axes
    fig = Figure(figsize=(4, 4), dpi=60)
    ax = fig.add_subplot()
    draw(ax)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_the_nansei_view_draws_few_outlines_and_the_same_pixels_as_all() -> None:
    world, prefs = png_years.outline_paths()
    extent = (122.5, 131.5, 23.8, 28.8)  # the Nansei islands, as the inset shows them

    def every_outline(ax) -> None:  # noqa: ANN001
        png_years._set_extent(ax, *extent)
        for paths, colour, width, z in ((world, LAND, 0.5, 1), (prefs, LAND_JP, 0.35, 2)):
            ax.add_collection(
                PathCollection(paths, facecolor=colour, edgecolor=BORDER, linewidth=width, zorder=z)
            )

    drawn = []

    def in_view(ax) -> None:  # noqa: ANN001
        png_years._base_map(ax, extent)
        drawn.extend(len(c.get_paths()) for c in ax.collections)

    filtered = _pixels(in_view)
    assert sum(drawn) < (len(world) + len(prefs)) / 5
    assert np.array_equal(filtered, _pixels(every_outline))
