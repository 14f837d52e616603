#!/usr/bin/env sh
# Install Photosift's desktop entry, AppStream metadata and icons.
#   packaging/linux/install.sh            -> ~/.local/share (this user)
#   sudo packaging/linux/install.sh /usr  -> system-wide
# photosift-gui must be on PATH (pipx install photosift, or a venv's bin folder).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-"${XDG_DATA_HOME:-$HOME/.local/share}"}
case "$prefix" in */share) share=$prefix ;; *) share=$prefix/share ;; esac
app=io.github.photosift.Photosift
install -Dm644 "$here/$app.desktop" "$share/applications/$app.desktop"
install -Dm644 "$here/$app.metainfo.xml" "$share/metainfo/$app.metainfo.xml"
(cd "$here/icons" && find hicolor -type f) | while read -r icon; do
  install -Dm644 "$here/icons/$icon" "$share/icons/$icon"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -qtf "$share/icons/hicolor" || true
echo "installed the Photosift desktop entry under $share"
