"""Photosift core: everything that is not GUI. Never imports Qt."""
