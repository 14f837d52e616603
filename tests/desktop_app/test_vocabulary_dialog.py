from PySide6.QtWidgets import QInputDialog, QMessageBox

from desktop_app.vocabulary_dialog import VocabularyDialog


def _names(dialog):
    out = {}
    for i in range(dialog.tree.topLevelItemCount()):
        top = dialog.tree.topLevelItem(i)
        out[top.text(0).rsplit(" (", 1)[0]] = [top.child(j).text(0) for j in range(top.childCount())]
    return out


def test_add_rename_and_remove_tags_and_categories(qtbot, library, monkeypatch):
    dialog = VocabularyDialog(library)
    qtbot.addWidget(dialog)
    answers = iter([("Hobbies", True), ("kite surfing", True), ("kitesurfing", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.add_category()
    assert _names(dialog)["Hobbies"] == []
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(_index(dialog, "Hobbies")))
    dialog.add_tag()
    assert _names(dialog)["Hobbies"] == ["kite surfing"]
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(_index(dialog, "Hobbies")).child(0))
    dialog.rename()
    assert _names(dialog)["Hobbies"] == ["kitesurfing"]
    assert library.organizer.vocabulary.find("kitesurfing").category == "Hobbies"
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(_index(dialog, "Hobbies")))
    dialog.remove()
    assert "Hobbies" not in _names(dialog) and dialog.changed


def _index(dialog, category):
    return next(i for i in range(dialog.tree.topLevelItemCount())
                if dialog.tree.topLevelItem(i).text(0).startswith(category + " ("))
