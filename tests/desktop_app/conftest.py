import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True, scope="session")
def _private_qsettings(tmp_path_factory):
    """Preferences and window state go to a temporary folder, never the user's."""
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield
