"""Text and image queries over the vector index, with SQL filters."""
