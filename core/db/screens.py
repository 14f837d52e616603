"""The pixel sizes screens are captured at: a camera-less PNG of one of these sizes is a screenshot.

Phones and desktops name their screenshots ("Screenshot_2024…", "Screen Shot …",
"Bildschirmfoto …"), but a screenshot that was shared, renamed or saved by another app
keeps only its size and its lack of a camera. Both orientations of each size count.
"""
from __future__ import annotations

_SIZES = (
    # iPhones
    (640, 1136), (750, 1334), (828, 1792), (1080, 1920), (1125, 2436), (1170, 2532), (1179, 2556),
    (1242, 2208), (1242, 2688), (1284, 2778), (1290, 2796), (1320, 2868), (1206, 2622),
    # Android phones
    (720, 1280), (720, 1600), (1080, 2280), (1080, 2340), (1080, 2400), (1440, 2560), (1440, 3040),
    (1440, 3120), (1440, 3200), (1344, 2992),
    # tablets
    (1536, 2048), (1620, 2160), (1640, 2360), (1668, 2224), (1668, 2388), (2048, 2732), (1200, 1920),
    (1600, 2560),
    # desktops and laptops
    (1280, 800), (1366, 768), (1440, 900), (1536, 864), (1680, 1050), (1920, 1080), (1920, 1200),
    (2256, 1504), (2560, 1440), (2560, 1600), (2736, 1824), (2880, 1800), (3024, 1964), (3440, 1440),
    (3456, 2234), (3840, 2160), (5120, 2880),
)

SCREEN_SIZES: frozenset[str] = frozenset(f"{w}x{h}" for a, b in _SIZES for w, h in ((a, b), (b, a)))
