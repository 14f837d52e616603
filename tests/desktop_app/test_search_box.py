"""The search field's chips (what a sentence was understood as) and its name suggestions."""
from PySide6.QtCore import Qt

from core.search.understand import Part
from desktop_app.search_box import SearchBox


def test_each_understood_part_is_a_chip_that_takes_its_words_out(qtbot):
    box = SearchBox()
    qtbot.addWidget(box)
    box.field.setText("Alice at the beach in Lisbon last summer")
    box.show_parts([Part("with Alice", "Alice"), Part("in Lisbon", "in Lisbon"),
                    Part("1 Jun–31 Aug 2026", "last summer")])
    assert box.chips() == ["with Alice  ✕", "in Lisbon  ✕", "1 Jun–31 Aug 2026  ✕"]
    with qtbot.waitSignal(box.field.textChanged):
        box._chips[1].click()
    assert box.field.text() == "Alice at the beach last summer"
    plain = next(a for a in box._chips[0].menu().actions() if a.text() == "Search as plain words")
    plain.trigger()
    assert box.field.text() == "'Alice' at the beach last summer"
    box.clear_quietly()
    assert box.field.text() == "" and box.chips() == []


def test_names_are_suggested_for_the_word_being_typed_and_replace_it(qtbot):
    box = SearchBox()
    qtbot.addWidget(box)
    box.show()
    box.set_names(["Alice", "Alina", "Lisbon", "Zürich"])
    box.field.setFocus()
    qtbot.keyClicks(box.field, "beach with ali")
    assert box.offered() == ["Alice", "Alina"] and box.completer.popup().isVisible()
    box._complete("Alice")
    assert box.field.text() == "beach with Alice"
    qtbot.keyClicks(box.field, " in z")                       # one letter: too few to suggest
    assert not box.completer.popup().isVisible()
    qtbot.keyClick(box.field, Qt.Key.Key_U)
    assert box.offered() == ["Zürich"]                        # accents folded
