"""Tags, albums, duplicates and events, all computed from stored vectors."""
