#!/usr/bin/env bash
# Build the wheel and sdist, install the wheel into a fresh venv, and use it:
# --help, index a generated folder with the test model, search, open the GUI.
#   bash packaging/smoke_wheel.sh [WORKDIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
python3 -m venv "$work/build-env"
"$work/build-env/bin/pip" install -q build
"$work/build-env/bin/python" -m build --outdir "$work/dist" "$repo" >/dev/null
wheel=$(ls "$work"/dist/photosift-*.whl)
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) and $(basename "$(ls "$work"/dist/photosift-*.tar.gz)")"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel"
cd "$work"   # run away from the source tree, so only the installed package is used
export PHOTOSIFT_LIBRARY="$work/library" QT_QPA_PLATFORM=offscreen
"$work/venv/bin/photosift" --help >/dev/null
"$work/venv/bin/python" - "$repo/tests/data" "$work/photos" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import shapes
shapes.write_folder(sys.argv[2], per_combo=2)
PY
"$work/venv/bin/photosift" models import "$repo/tests/data/tiny_clip/photosift-tiny.safetensors" \
    --arch "$repo/tests/data/tiny_clip/photosift-tiny.json" --name tiny
"$work/venv/bin/photosift" index "$work/photos" -q
top=$("$work/venv/bin/photosift" search a red circle --top 1 --json | "$work/venv/bin/python" -c \
    'import json,sys; print(json.load(sys.stdin)[0]["path"])')
case "$top" in *red-circle*) echo "search ok: $top" ;; *) echo "unexpected top hit: $top"; exit 1 ;; esac
"$work/venv/bin/photosift" tags vocab list | grep -q "animals:" && echo "vocabulary shipped in the wheel"
# The window runs until stopped: still up after 15 s, having shown its first view (the app logs it).
set +e
timeout 15 "$work/venv/bin/photosift-gui" --no-watch >/dev/null 2>&1
code=$?
set -e
[ "$code" = 124 ] || { echo "the window exited early (exit code $code)"; exit 1; }
log="$PHOTOSIFT_LIBRARY/photosift.log"
grep -q "window shows its first view" "$log" || { echo "the window never showed a view; see $log"; exit 1; }
echo "GUI opened offscreen and showed its first view"
echo "wheel smoke test passed"
