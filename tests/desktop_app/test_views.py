"""Which changes make the view on screen refresh itself."""
from core.changes import ALBUMS, PEOPLE, PHOTOS, TAGS
from desktop_app.views import View


def test_a_view_refreshes_for_what_it_shows_and_nothing_else():
    assert View("all").depends_on(PHOTOS) and not View("all").depends_on(PEOPLE)
    assert View("person", 3).depends_on(PEOPLE) and not View("person", 3).depends_on(TAGS)
    assert View("tag", "beach").depends_on(TAGS) and View("album", "Mine").depends_on(ALBUMS)
    # a search or the duplicates stay as the user asked for them while photos arrive
    assert not View("search", "a red kite").depends_on(PHOTOS) and not View("duplicates").depends_on(PHOTOS)
    assert View("search", "x") == ("search", "x")   # still a plain pair where the sidebar compares views
