"""Render resources/icons/leadassist.svg to the PNG sizes the bundles and desktop entries need.

Run from the repository root: `python packaging/make_icons.py` (writes resources/icons/leadassist-<N>.png).
Uses QtSvg (part of PySide6-Essentials); renders offscreen, so it works on a build server without a display.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def render(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Render `svg` to `<stem>-<size>.png` in `out_dir` for each size; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A build tool, not app code: the layering ban on Qt does not apply here.
    from PySide6.QtCore import Qt  # noqa: TID251
    from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: TID251
    from PySide6.QtSvg import QSvgRenderer  # noqa: TID251

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"{svg.stem}-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


def main() -> int:
    """Command line: render the app icon (or --svg FILE) into --out DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=ICONS / "leadassist.svg")
    parser.add_argument("--out", type=Path, default=ICONS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in render(args.svg, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
