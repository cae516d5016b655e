"""Render the app icon from resources/icons/rethink.svg into PNG, ICO and ICNS files.

Run from the repository root after changing the SVG, and commit what it writes:
``.venv/bin/python packaging/make_icons.py``. ``--check`` writes nothing and exits 1 if a
committed file no longer matches the SVG. Qt draws the SVG (QtSvg is in PySide6-Essentials);
the ICO and ICNS containers are written here, with PNG entries, so no image library is needed.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICON_DIR / "rethink.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Windows shows 16-48 in lists and the taskbar, 256 in large views; 256 is the ICO maximum.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The PNG-based ICNS types, as Apple's iconutil writes them (the @2x types follow each size).
ICNS_TYPES = (
    (b"ic11", 32),  # 16x16@2x
    (b"ic12", 64),  # 32x32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128x128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256x256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512x512@2x
)


def png_path(size: int) -> Path:
    return ICON_DIR / f"rethink-{size}.png"


def render(size: int, svg: Path = SVG) -> QImage:
    """The SVG drawn on a transparent square of ``size`` pixels."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO container (Windows Vista and later) with one PNG entry per size."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # a byte: 0 means 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return struct.pack("<HHH", 0, 1, len(sizes)) + b"".join(entries) + b"".join(blobs)


def icns_bytes(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS container: big-endian type + length (header included) per entry."""
    body = b"".join(kind + struct.pack(">I", len(data) + 8) + data for kind, data in chunks)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def ico_entries(data: bytes) -> list[tuple[int, bytes]]:
    """The (declared size, PNG bytes) of each entry of an ICO file; ValueError if malformed."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    if (reserved, kind) != (0, 1) or count == 0:
        raise ValueError("not an ICO file")
    entries = []
    for i in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        if offset + length > len(data):
            raise ValueError("ICO entry runs past the end of the file")
        entries.append((side or 256, data[offset : offset + length]))
    return entries


def icns_entries(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) of each entry of an ICNS file; ValueError if malformed."""
    if data[:4] != b"icns" or struct.unpack_from(">I", data, 4)[0] != len(data):
        raise ValueError("not an ICNS file, or its length is wrong")
    entries, offset = [], 8
    while offset < len(data):
        kind, length = data[offset : offset + 4], struct.unpack_from(">I", data, offset + 4)[0]
        if length < 8 or offset + length > len(data):
            raise ValueError(f"ICNS entry {kind!r} has a bad length")
        entries.append((kind, data[offset + 8 : offset + length]))
        offset += length
    return entries


def build(svg: Path = SVG) -> dict[Path, bytes]:
    """Every generated file and its contents."""
    pngs = {size: png_bytes(render(size, svg)) for size in {*PNG_SIZES, 1024}}
    files = {png_path(size): pngs[size] for size in PNG_SIZES}
    files[ICON_DIR / "rethink.ico"] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    files[ICON_DIR / "rethink.icns"] = icns_bytes([(kind, pngs[size]) for kind, size in ICNS_TYPES])
    return files


def same_pixels(a: bytes, b: bytes) -> bool:
    """Two PNGs with the same pixels (encoders differ between zlib versions; pixels do not)."""
    fmt = QImage.Format.Format_ARGB32
    return QImage.fromData(a, "PNG").convertToFormat(fmt) == QImage.fromData(
        b, "PNG"
    ).convertToFormat(fmt)


def is_current(path: Path, data: bytes) -> bool:
    """Whether the file on disk shows the same images as freshly generated ``data``."""
    if not path.is_file():
        return False
    old = path.read_bytes()
    if path.suffix == ".png":
        return same_pixels(old, data)
    try:
        parse = ico_entries if path.suffix == ".ico" else icns_entries
        pairs = list(zip(parse(old), parse(data), strict=True))
    except ValueError:
        return False
    return all(a[0] == b[0] and same_pixels(a[1], b[1]) for a, b in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    files = build()
    if args.check:
        stale = [path for path, data in files.items() if not is_current(path, data)]
        for path in stale:
            print(f"stale: {path.relative_to(ICON_DIR.parent.parent)}")
        return 1 if stale else 0
    for path, data in files.items():
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ICON_DIR.parent.parent)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
