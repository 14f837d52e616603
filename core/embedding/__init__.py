"""CLIP models: the catalogue, installing and importing weights, and running them."""
