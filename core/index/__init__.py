"""The approximate-nearest-neighbour index: a derived cache of the stored vectors."""
