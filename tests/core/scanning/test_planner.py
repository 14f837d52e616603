from core.scanning.planner import Planner, Root
from tests.conftest import shapes


def test_a_root_queued_as_a_path_plans_all_its_files(library, tmp_path):
    """Add Folder, a model switch and a rescan queue the root folder itself."""
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    root = library.add_root(photos)
    plan = Planner(library.photos, lambda: set(library.vectors.ids("tiny").tolist()), "tiny").plan_paths({str(photos)}, [Root(root.id, root.path)])
    assert sorted(job.path for job in plan.jobs) == sorted(truth)


def test_an_offline_root_queued_as_a_path_loses_no_photos(library, tmp_path):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1)
    root = library.add_root(photos)
    library.scan()
    for path in photos.iterdir():   # the drive is unmounted: its mount point is an empty folder
        path.unlink()
    plan = Planner(library.photos, lambda: set(library.vectors.ids("tiny").tolist()), "tiny").plan_paths({str(photos)}, [Root(root.id, root.path)])
    assert plan.missing == {} and plan.offline_roots == [str(photos)]
