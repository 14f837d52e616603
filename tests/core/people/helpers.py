"""Photos with faces whose descriptors are generated: people as points in dlib's 128-d space.

Same-person distances come out about 0.35 and different-person ones above
0.9, like dlib's descriptors of real faces (0.33-0.44 and 0.70-0.91 measured).
"""
import numpy as np


def person_centres(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(n, 128))
    return (c / np.linalg.norm(c, axis=1, keepdims=True) * 0.7).astype(np.float32)


def face_of(centre: np.ndarray, rng) -> np.ndarray:
    return (centre + rng.normal(scale=0.022, size=128)).astype(np.float32)


def add_photo_with_faces(db, path: str, embeddings, content_hash: str | None = None) -> int:
    """An indexed photo (no file on disk) with these faces, as the face stage stores them."""
    with db.transaction() as conn:
        root = conn.execute("SELECT id FROM roots LIMIT 1").fetchone()
        root_id = root[0] if root else conn.execute(
            "INSERT INTO roots(path, added_at) VALUES ('/people', 'now')").lastrowid
        photo_id = conn.execute(
            "INSERT INTO photos(root_id, path, folder, size, mtime, state, added_at, content_hash) "
            "VALUES (?, ?, '/people', 1, 1, 'indexed', 'now', ?)", (root_id, path, content_hash or path)).lastrowid
        for i, e in enumerate(embeddings):
            conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop) "
                         "VALUES (?, ?, 0.1, 0.2, 0.2, 1.5, ?, ?, x'ffd8')",
                         (photo_id, 0.1 + 0.3 * i, 200 - i, np.asarray(e, dtype=np.float32).tobytes()))
        conn.execute("INSERT INTO face_scans(photo_id, content_hash, faces, scanned_at) VALUES (?, ?, ?, 'now')",
                     (photo_id, content_hash or path, len(embeddings)))
    return photo_id


def library_of_people(db, per_person=(5, 4, 3, 2), seed: int = 0) -> dict[int, list[int]]:
    """{person index: [photo ids]}: one face per photo."""
    centres = person_centres(len(per_person), seed)
    rng = np.random.default_rng(seed + 1)
    out: dict[int, list[int]] = {}
    for k, n in enumerate(per_person):
        out[k] = [add_photo_with_faces(db, f"/people/p{k}-{i}.jpg", [face_of(centres[k], rng)]) for i in range(n)]
    return out
