"""Text in photos: the words on receipts, signs, whiteboards and screenshots, read by
RapidOCR in the decode workers, stored per line and searchable through SQLite FTS5."""
