"""Indexing on a Ray cluster: nodes decode and embed, this machine's writer commits."""
