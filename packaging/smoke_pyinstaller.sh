#!/usr/bin/env bash
# Build the one-folder app with PyInstaller, then use the bundle, never the source tree:
# the CLI (--cli) imports the test model, indexes generated photos and searches, all inside
# a network namespace with no network; then the window opens (Xvfb when installed).
#   bash packaging/smoke_pyinstaller.sh [WORKDIR]
#   PHOTOSIFT_BUNDLE=cpu bash packaging/smoke_pyinstaller.sh [WORKDIR]   # the CPU-only app, no torch:
#     the test model is exported as ONNX files by this checkout (`models export`), and the bundle
#     imports that folder.
# Uses .venv if present (pip installs pyinstaller into it), else makes a build venv.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
if [ -x "$repo/.venv/bin/python" ]; then py="$repo/.venv/bin/python"; else
    python3 -m venv "$work/build-venv" && "$work/build-venv/bin/pip" install -q -e "$repo"
    py="$work/build-venv/bin/python"; fi
"$py" -m pip install -q "pyinstaller>=6.5"
start=$(date +%s)
"$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$work/dist" --workpath "$work/build" \
    "$repo/packaging/pyinstaller/photosift.spec"
app="$work/dist/photosift/photosift"
echo "built in $(( $(date +%s) - start )) s: $(du -sh "$work/dist/photosift" | cut -f1) \
($(du -sh "$work/dist/photosift/_internal/nvidia" 2>/dev/null | cut -f1 || echo 0) of it NVIDIA CUDA libraries)"
if find "$work/dist/photosift" \( -name '*.safetensors' -o -name '*.pt' -o -name '*.pth' \) | grep -q .; then
    echo "the bundle must not contain model weights"; exit 1; fi
if [ "${PHOTOSIFT_BUNDLE:-}" = cpu ] && find "$work/dist/photosift/_internal" -maxdepth 1 \
        \( -name 'torch*' -o -name 'nvidia' -o -name 'open_clip*' \) | grep -q .; then
    echo "the CPU bundle must not contain torch, CUDA or open_clip"; exit 1; fi
cd "$work"
"$py" - "$repo/tests/data" "$work/photos" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import shapes
shapes.write_folder(sys.argv[2], per_combo=2)
import pathlib
sys.path.insert(0, str(pathlib.Path(sys.argv[1]).parents[1]))
from tests.data.videos import red_circle_clip
red_circle_clip(sys.argv[2] + "/beach.mp4")
from tests.data.text_photos import sign
sign(sys.argv[2] + "/boarding.jpg", "GATE B42")
PY
offline=""
if command -v unshare >/dev/null && unshare -rn true 2>/dev/null; then offline="unshare -rn"; fi
lib="$work/library"
$offline "$app" --cli --help >/dev/null
if [ "${PHOTOSIFT_BUNDLE:-}" = cpu ]; then
    # No torch in the bundle: the model comes as ONNX files from a Photosift that has it.
    "$py" -m core.cli --library "$work/export-library" models import \
        "$repo/tests/data/tiny_clip/photosift-tiny.safetensors" --arch "$repo/tests/data/tiny_clip/photosift-tiny.json" \
        --name tiny >/dev/null
    (cd "$repo" && "$py" -m core.cli --library "$work/export-library" models export tiny "$work/export")
    $offline "$app" --cli --library "$lib" models import "$work/export/tiny"
else
    $offline "$app" --cli --library "$lib" models import "$repo/tests/data/tiny_clip/photosift-tiny.safetensors" \
        --arch "$repo/tests/data/tiny_clip/photosift-tiny.json" --name tiny
fi
$offline "$app" --cli --library "$lib" index "$work/photos" -q
top=$($offline "$app" --cli --library "$lib" search a red circle --top 1 --type photo --json | "$py" -c \
    'import json,sys; print(json.load(sys.stdin)[0]["path"])')
case "$top" in *red-circle*) echo "search ok${offline:+ (with no network)}: $top" ;;
    *) echo "unexpected top hit: $top"; exit 1 ;; esac
moment=$($offline "$app" --cli --library "$lib" search a red circle on a blue background --type video --json \
    | "$py" -c 'import json,sys; h=json.load(sys.stdin)[0]; print(h["path"], h["time_s"])')
case "$moment" in *beach.mp4\ [45].*) echo "video search ok: $moment" ;;
    *) echo "unexpected video hit: $moment"; exit 1 ;; esac
read_text=$($offline "$app" --cli --library "$lib" text "$work/photos/boarding.jpg")
[ "$read_text" = "GATE B42" ] && echo "text read ok: $read_text" || { echo "unexpected text: $read_text"; exit 1; }
if command -v xvfb-run >/dev/null; then run="xvfb-run -a"; else run=""; export QT_QPA_PLATFORM=offscreen; fi
# The window runs until stopped: it must still be up after 20 s and have shown its first view
# (the app logs it). The shipped app has no test flags; the benchmarks drive it from tests/.
set +e
timeout 20 $run "$app" --library "$lib" --no-watch >/dev/null 2>&1
code=$?
set -e
[ "$code" = 124 ] || { echo "the window exited early (exit code $code)"; exit 1; }
grep -q "window shows its first view" "$lib/photosift.log" \
    || { echo "the window never showed a view; see $lib/photosift.log"; exit 1; }
echo "window: $(grep -m1 "window shows its first view" "$lib/photosift.log" | sed 's/.*: //')${run:+ (under Xvfb)}"
echo "PyInstaller smoke test passed"
