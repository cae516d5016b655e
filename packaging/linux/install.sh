#!/bin/sh
# Install (or remove) the Linux build of Re-Think Desktop with its menu entry and icons.
#
#   packaging/linux/install.sh [--prefix DIR] [--from DIR] [--uninstall]
#
# --prefix  where to install: ~/.local (the default, for this user, no root needed) or
#           /usr/local or /opt/... (for every user; run as root)
# --from    the built one-folder app (default: dist/rethink-desktop, from `make package`);
#           its icons are taken from inside it, so no source checkout is needed
#
# The program goes to PREFIX/lib/rethink-desktop, a link to it to PREFIX/bin, the desktop
# entry, AppStream metainfo and icons under PREFIX/share. Uninstalling removes exactly those;
# the records (~/.local/share/rethink-desktop), settings and logs are never touched.
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(CDPATH= cd -- "$here/../.." && pwd)
prefix="$HOME/.local"
from="$root/dist/rethink-desktop"
action=install
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --from) from=$2; shift 2 ;;
        --uninstall) action=uninstall; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

id=org.rethink.desktop
app="$prefix/lib/rethink-desktop"
bin="$prefix/bin/rethink-desktop"
share="$prefix/share"
sizes="16 24 32 48 64 128 256 512"

refresh() {
    # Update an icon cache that is already there; creating one would hide icons that other
    # apps install later without updating it. Menus notice the desktop entry by themselves.
    if [ -f "$share/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
    fi
}

if [ "$action" = uninstall ]; then
    rm -rf "$app"
    rm -f "$bin" "$share/applications/$id.desktop" "$share/metainfo/$id.metainfo.xml"
    for s in $sizes; do rm -f "$share/icons/hicolor/${s}x${s}/apps/$id.png"; done
    rm -f "$share/icons/hicolor/scalable/apps/$id.svg"
    refresh
    echo "Removed Re-Think Desktop from $prefix. The records and settings were kept."
    exit 0
fi

if [ ! -x "$from/rethink-desktop" ]; then
    echo "No build at $from: run 'make package' first, or pass --from DIR." >&2
    exit 1
fi
# The icons come from inside the build (the spec puts resources/ there), so a build copied
# without the source checkout installs completely. Every input is checked before anything
# is copied: a half-done install would leave a menu entry with no icon.
icons="$from/_internal/rethink_desktop/resources/icons"
missing=""
for f in "$here/$id.desktop" "$here/$id.metainfo.xml" "$icons/rethink.svg"; do
    [ -f "$f" ] || missing="$missing $f"
done
for s in $sizes; do
    [ -f "$icons/rethink-$s.png" ] || missing="$missing $icons/rethink-$s.png"
done
if [ -n "$missing" ]; then
    echo "Nothing has been installed: these files are missing:$missing" >&2
    echo "Use a complete build (make package) with the install script's own folder" \
        "(packaging/linux), or pass --from DIR." >&2
    exit 1
fi
mkdir -p "$prefix/lib" "$prefix/bin" "$share/applications" "$share/metainfo"
# Replace the whole folder, so no library of an older version lingers.
rm -rf "$app.new" && cp -R "$from" "$app.new" && rm -rf "$app" && mv "$app.new" "$app"
ln -sf "$app/rethink-desktop" "$bin"
# An absolute Exec, so the menu entry works even where PREFIX/bin is not on the PATH.
sed -e "s|^Exec=rethink-desktop|Exec=$app/rethink-desktop|" \
    -e "s|^TryExec=rethink-desktop|TryExec=$app/rethink-desktop|" \
    "$here/$id.desktop" > "$share/applications/$id.desktop"
cp "$here/$id.metainfo.xml" "$share/metainfo/$id.metainfo.xml"
for s in $sizes; do
    mkdir -p "$share/icons/hicolor/${s}x${s}/apps"
    cp "$icons/rethink-$s.png" "$share/icons/hicolor/${s}x${s}/apps/$id.png"
done
mkdir -p "$share/icons/hicolor/scalable/apps"
cp "$icons/rethink.svg" "$share/icons/hicolor/scalable/apps/$id.svg"
refresh
echo "Installed Re-Think Desktop $("$app/rethink-desktop" --version | sed 's/^Re-Think Desktop \([^ ]*\).*/\1/') in $app"
