"""Errors a user can fix. Each carries a one-line message that says what to do."""


class PhotosiftError(Exception):
    """Base for user-facing errors: the CLI prints str(e) and exits non-zero."""


class LibraryTooNew(PhotosiftError):
    pass


class NoModel(PhotosiftError):
    pass


class ModelError(PhotosiftError):
    pass
