"""What a write changed, and which views that concerns."""
from core.changes import NOTHING, PEOPLE, PHOTOS, TAGS, Changes
from core.types import ScanSummary


def test_changes_combine_and_say_what_they_touch():
    both = PEOPLE | TAGS
    assert both == Changes(people=True, tags=True) and both.touches("tags") and not both.touches("photos")
    assert not NOTHING and PHOTOS


def test_a_scan_reports_what_it_changed():
    assert not ScanSummary(unchanged=10).changes
    assert ScanSummary(added=1).changes.photos
    assert ScanSummary(faces=2).changes == Changes(people=True)
