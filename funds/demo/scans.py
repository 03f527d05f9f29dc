"""Scanned vouchers for the demo: a few receipt-like images drawn with Pillow and stored
privately once; the demo's vouchers point at them in turn (a real centre scans every
receipt; thousands of distinct images would only slow the demo down). Text is ASCII and
digits, so no CJK font is needed on the machine that loads the demo."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

SCAN_COUNT = 12
FOLDER = "private/vouchers/demo"


@dataclass(frozen=True)
class Scan:
    name: str  # storage name
    size: int
    sha256: str


def _draw(rng: random.Random, number: int) -> bytes:
    width, height = 720, 460
    paper = (250, 247, 238)
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=34)
    text = ImageFont.load_default(size=22)
    ink = (40, 40, 60)
    draw.rectangle([18, 18, width - 18, height - 18], outline=(120, 60, 60), width=3)
    draw.text((40, 36), "RECEIPT", font=title, fill=(150, 30, 30))
    draw.text((width - 260, 44), f"No. {rng.randrange(10**6):06d}", font=text, fill=ink)
    day = f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"
    amount = f"{rng.randrange(200, 9000)}.{rng.randrange(100):02d}"
    lines = [
        f"Date       {day}",
        f"Amount     CNY {amount}",
        f"Item       {rng.choice(['office supplies', 'cleaning', 'repairs', 'utilities'])}",
        f"Payer      collective account {number:02d}",
        "Received   ______________________",
    ]
    for index, line in enumerate(lines):
        draw.text((48, 110 + index * 44), line, font=text, fill=ink)
    # The seller's round red stamp, a little off-square like a real one.
    x, y = width - 200, height - 190
    draw.ellipse([x, y, x + 140, y + 140], outline=(200, 40, 40), width=5)
    draw.text((x + 28, y + 56), "PAID", font=title, fill=(200, 40, 40))
    image = image.rotate(rng.uniform(-1.5, 1.5), fillcolor=paper)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def demo_scans(seed: int) -> list[Scan]:
    """The demo's scans, drawn and stored the first time."""
    rng = random.Random(f"{seed}:scans")
    scans = []
    for number in range(1, SCAN_COUNT + 1):
        data = _draw(rng, number)
        name = f"{FOLDER}/receipt-{number:02d}.png"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(data))
        scans.append(Scan(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    return scans
