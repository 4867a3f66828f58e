"""The Dashboard's tiles show their figures whole and their captions in full, at any font size."""

from __future__ import annotations



def tiles_of(window, qtbot):
    window.show_screen("dashboard")
    dashboard = window.screens["dashboard"]
    qtbot.wait(50)
    return dashboard, [*dashboard.figures.values(), *dashboard.tiles.values()]


def assert_whole(tile) -> None:
    value, caption = tile.value, tile.caption
    name = caption.text()
    assert value.text() not in ("", "–"), name
    assert value.fontMetrics().horizontalAdvance(value.text()) <= value.width(), f"{value.text()!r} is cut"
    assert value.fontMetrics().height() <= value.height(), f"{value.text()!r} is cut top or bottom"
    # Every line of the caption inside the tile, and no word broken across two lines.
    assert caption.heightForWidth(caption.width()) <= caption.height(), f"{name!r} is cut"
    assert caption.geometry().bottom() < tile.rect().bottom(), f"{name!r} runs off the tile"
    for word in name.split():
        assert caption.fontMetrics().horizontalAdvance(word) <= caption.width(), f"{word!r} of {name!r} is broken"


def assert_apart(tiles) -> None:
    for i, one in enumerate(tiles):
        for other in tiles[i + 1:]:
            if one.parentWidget() is other.parentWidget():
                assert not one.geometry().intersects(other.geometry()), (one.caption.text(), other.caption.text())


def test_tiles_whole_under_a_large_font(big_window, qtbot):
    _dashboard, tiles = tiles_of(big_window, qtbot)
    for tile in tiles:
        assert_whole(tile)
    assert_apart(tiles)


def test_the_revenue_figure_whole_at_the_usual_font(demo_window, qtbot):
    dashboard, tiles = tiles_of(demo_window, qtbot)
    assert dashboard.figures["revenue"].value.text().endswith("USD")
    for tile in tiles:
        assert_whole(tile)
    assert_apart(tiles)


def test_a_row_of_tiles_stays_level(big_window, qtbot):
    dashboard, _tiles = tiles_of(big_window, qtbot)
    for row in (dashboard.figures.values(), dashboard.tiles.values()):
        assert len({(tile.y(), tile.height()) for tile in row}) == 1
