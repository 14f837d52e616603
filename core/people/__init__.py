"""People: faces found in photos, grouped by person."""
