"""Headless Chromium for the tests of the HTML pages: find it, run it, read back what it drew or printed.

Skipped only on a developer machine without Chromium; with CI set a test that needs it must run.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from needs import missing

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str:
    """The Chromium binary; skipped without one (failed in CI)."""
    candidates = ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
    found = next((path for path in candidates if path and os.access(path, os.X_OK)), None)
    if found:
        return found
    missing("Chromium (apt-get install -y chromium)")


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False, stdin=subprocess.DEVNULL)


def png_size_and_colours(data: bytes, rows: int) -> tuple[int, int, int]:
    """Width, height and the number of distinct colours in the first `rows` rows of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour_type}"
    pixel = 3 if colour_type == 2 else 4
    stride = width * pixel
    raw = zlib.decompressobj().decompress(b"".join(chunks), (stride + 1) * rows)
    colours: set[bytes] = set()
    previous = bytearray(stride)
    for start in range(0, len(raw) - stride, stride + 1):
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, pixel)
        colours.update(bytes(line[i : i + 3]) for i in range(0, stride, pixel * 4))
        previous = line
    return width, height, len(colours)


def _unfilter(kind: int, line: bytearray, previous: bytearray, pixel: int) -> bytearray:
    """Undo one PNG scanline filter (None, Sub, Up, Average, Paeth)."""
    for i in range(len(line)):
        left = line[i - pixel] if i >= pixel else 0
        up = previous[i]
        corner = previous[i - pixel] if i >= pixel else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + predictor) & 0xFF
    return line


def pdf_of(chromium: str, html_text: str, tmp_path: Path) -> bytes:
    """The page `html_text` printed to PDF by Chromium (A4 where its print stylesheet says so)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    page_file, pdf = tmp_path / "print.html", tmp_path / "print.pdf"
    page_file.write_text(html_text, encoding="utf-8")
    result = run_chromium(chromium, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                          page_file.as_uri())
    assert pdf.exists(), result.stderr[-2000:]
    return pdf.read_bytes()


def pdf_pages(pdf: bytes) -> tuple[set[tuple[int, ...]], int]:
    """The page sizes (points, rounded) of a PDF Chromium printed, and its number of pages."""
    boxes = {tuple(round(float(n)) for n in box)
             for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
    return boxes, len(re.findall(rb"/Type\s*/Page\b", pdf))
