"""Printing data for the command line (shared by every subcommand)."""
from __future__ import annotations

import json
import sys


def print_json(data) -> None:
    """Pretty JSON on stdout; non-JSON values (paths, dates) become strings."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
