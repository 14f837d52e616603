"""CLIP's byte-pair tokenizer without torch, so a text query needs no torch at all.

This is open_clip's SimpleTokenizer (from OpenAI's CLIP, MIT licence),
producing numpy arrays instead of torch tensors: the same cleaning (ftfy,
HTML unescaping, whitespace, lower case), the same regex split, the same BPE
merges from the same vocabulary file, the same truncation (the last position
becomes end-of-text). tests/core/embedding/test_tokenizer.py checks it token
for token against open_clip on a few thousand strings.
"""
from __future__ import annotations

import functools
import gzip
import html
import pathlib
import string

import numpy as np

VOCAB_NAME = "bpe_simple_vocab_16e6.txt.gz"
CLEANERS = ("lower", "whitespace", "canonicalize")


@functools.lru_cache()
def bytes_to_unicode() -> dict[int, str]:
    """Printable stand-ins for every byte, so BPE never sees whitespace or control characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _basic_clean(text: str) -> str:
    import ftfy

    return html.unescape(html.unescape(ftfy.fix_text(text))).strip()


def _whitespace_clean(text: str) -> str:
    return " ".join(text.split()).strip()


def _canonicalize(text: str) -> str:
    text = text.replace("_", " ").translate(str.maketrans("", "", string.punctuation)).lower()
    return " ".join(text.split()).strip()


def _clean(kind: str, text: str) -> str:
    text = _basic_clean(text)
    if kind == "canonicalize":
        return _canonicalize(text)
    text = _whitespace_clean(text)
    return text.lower() if kind == "lower" else text


class ClipTokenizer:
    """Texts to an int64 array (N, context_length) of token ids, as open_clip makes them."""

    def __init__(self, vocab_path: str | pathlib.Path, context_length: int = 77, clean: str = "lower"):
        import regex

        if clean not in CLEANERS:
            raise ValueError(f"unknown text cleaning {clean!r}")
        self.context_length = context_length
        self._clean = clean
        self._byte_encoder = bytes_to_unicode()
        merges = gzip.open(vocab_path).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
        merges = [tuple(m.split()) for m in merges]
        vocab = list(self._byte_encoder.values())
        vocab += [v + "</w>" for v in vocab] + ["".join(m) for m in merges]
        special = ["<start_of_text>", "<end_of_text>"]
        vocab += special
        self._encoder = {token: i for i, token in enumerate(vocab)}
        self._ranks = {m: i for i, m in enumerate(merges)}
        self._cache = {t: t for t in special}
        self._pattern = regex.compile(
            "|".join(special) + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE)
        self.sot = self._encoder["<start_of_text>"]
        self.eot = self._encoder["<end_of_text>"]

    def _bpe(self, token: str) -> str:
        if token in self._cache:
            return self._cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            bigram = min(pairs, key=lambda pair: self._ranks.get(pair, float("inf")))
            if bigram not in self._ranks:
                break
            first, second = bigram
            merged = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
        result = " ".join(word)
        self._cache[token] = result
        return result

    def encode(self, text: str) -> list[int]:
        ids = []
        for token in self._pattern.findall(_clean(self._clean, text)):
            token = "".join(self._byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self._encoder[piece] for piece in self._bpe(token).split(" "))
        return ids

    def __call__(self, texts) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(texts), self.context_length), dtype=np.int64)
        for row, text in enumerate(texts):
            tokens = [self.sot, *self.encode(text), self.eot]
            if len(tokens) > self.context_length:
                tokens = tokens[:self.context_length]
                tokens[-1] = self.eot
            out[row, :len(tokens)] = tokens
        return out
