"""The bounded decode -> embed -> write pipeline."""
