"""A library database holding given vectors as indexed photos, for index tests."""
from core.db import Database
from core.db.vectors import encode_vector


def db_with_vectors(path, vectors, model="m") -> Database:
    """Photo i (from 1) has vectors[i - 1]; its embedding's seq is i."""
    db = Database(path)
    with db.transaction() as conn:
        conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
        conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at) "
                         "VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now')",
                         [(i, f"/r/{i}.jpg") for i in range(1, len(vectors) + 1)])
        conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                         [(i, model, encode_vector(v), i) for i, v in enumerate(vectors, start=1)])
    return db
