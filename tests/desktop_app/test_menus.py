from PySide6.QtGui import QAction, QKeySequence

from desktop_app.mainwindow import MainWindow


def _actions(win):
    return {a.text().replace("&", ""): a for m in win.menuBar().actions() for a in m.menu().actions()
            if a.text()}


def test_menus_follow_platform_conventions(qtbot, library):
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    actions = _actions(win)
    assert actions["Settings…"].menuRole() == QAction.MenuRole.PreferencesRole
    assert actions["About Photosift"].menuRole() == QAction.MenuRole.AboutRole
    assert actions["Quit"].menuRole() == QAction.MenuRole.QuitRole
    assert actions["Export Selection…"].shortcut() == QKeySequence("Ctrl+E")
    assert actions["Select All"].shortcut() == QKeySequence(QKeySequence.StandardKey.SelectAll)
    assert [m.text() for m in win.menuBar().actions()] == ["&File", "&Edit", "&View", "&Help"]
    win.close()
