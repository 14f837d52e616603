"""Finding photos on disk and noticing when they change."""
