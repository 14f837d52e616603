"""Data files shipped with Photosift: the default tag vocabulary, icons."""
import pathlib

FOLDER = pathlib.Path(__file__).resolve().parent
VOCABULARY = FOLDER / "vocabulary.json"
