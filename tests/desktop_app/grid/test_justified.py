"""The justified layout: full rows fill the width, photos keep their aspect ratio, sections start rows."""
import numpy as np
import pytest

from desktop_app.grid.justified import MAX_ASPECT, MIN_ASPECT, Section, header_height, justify


def _rows(layout):
    return [list(layout.photos_in_row(r)) for r in range(len(layout.row_first))]


def _section_ends(layout, n, sections):
    """Index of the last layout row of every section."""
    starts = sorted({0, *(s.start for s in sections)})
    ends = set()
    for r, row in enumerate(_rows(layout)):
        if row[-1] + 1 == n or row[-1] + 1 in starts:
            ends.add(r)
    return ends


@pytest.mark.parametrize("width,target", [(1200, 160), (800, 80), (1900, 320), (333, 120)])
def test_every_row_fills_the_width_within_a_pixel_except_a_sections_last(width, target):
    rng = np.random.default_rng(width)
    aspects = rng.choice([4 / 3, 3 / 4, 16 / 9, 1.0, 3 / 2, 2 / 3, 5.0, 0.2], 700)
    sections = [Section(s, "day") for s in (0, 37, 38, 200, 431, 699)]
    layout = justify(aspects, width, target, spacing=4, sections=sections)
    last_rows = _section_ends(layout, len(aspects), sections)
    for r, row in enumerate(_rows(layout)):
        right = layout.x[row[-1]] + layout.w[row[-1]]
        assert layout.x[row[0]] == 0
        if r in last_rows and abs(right - width) > 1:   # a section's short last row: left-aligned, not stretched
            assert right < width
            assert all(layout.h[i] == target for i in row)
        else:
            assert abs(right - width) <= 1, (r, right)
        for a, b in zip(row, row[1:]):   # even gaps, no overlap
            assert layout.x[b] - (layout.x[a] + layout.w[a]) in (3, 4, 5)
    assert len(last_rows) < len(layout.row_first)   # most rows are full ones


def test_photos_keep_their_aspect_ratio_and_rows_their_height():
    aspects = np.array([3 / 2, 2 / 3, 1.0, 16 / 9, 4 / 3, 3 / 4] * 20)
    layout = justify(aspects, 1000, 200)
    for i, aspect in enumerate(aspects):
        assert abs(layout.w[i] / layout.h[i] - aspect) < 0.02 + 1 / layout.h[i]
    for row in _rows(layout):
        assert len({int(layout.h[i]) for i in row}) == 1 and len({int(layout.y[i]) for i in row}) == 1
        assert layout.h[row[0]] <= 200   # full rows shrink to fit, never grow past the zoom


def test_extreme_shapes_are_clamped_so_no_photo_owns_a_row():
    layout = justify([20.0, 0.05, 1.0], 2000, 100)
    assert layout.w[0] / layout.h[0] == pytest.approx(MAX_ASPECT, abs=0.05)
    assert layout.w[1] / layout.h[1] == pytest.approx(MIN_ASPECT, abs=0.05)


def test_sections_start_new_rows_under_their_headers():
    sections = [Section(0, "June 2024", "month"), Section(5, "Saturday 29 June", "day"),
                Section(7, "Less likely matches", "divider")]
    layout = justify([1.0] * 10, 1000, 100, spacing=4, sections=sections)
    assert [int(f) for f in layout.row_first] == [0, 5, 7]
    assert [h[2].title for h in layout.headers] == ["June 2024", "Saturday 29 June", "Less likely matches"]
    for (y, height, section), row in zip(layout.headers, layout.row_first):
        assert height == header_height(section.kind)
        assert layout.y[row] == y + height   # photos right under their header
    assert layout.header_for(6)[2].title == "Saturday 29 June"
    assert layout.height == layout.y[9] + layout.h[9]


def test_an_empty_grid_and_a_narrow_one():
    assert justify([], 1000, 100).height == 0
    one = justify([1.5], 50, 100)   # narrower than one photo: the photo fills the row
    assert one.w[0] >= 50 and one.h[0] > 0
