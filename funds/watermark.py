"""Voucher files as a viewer receives them: marked with who looked, when, under which grant.

Images (PNG, JPEG, WebP, GIF) are decoded and drawn again with the mark tiled diagonally
across the whole picture, so a screenshot, a photo of the screen or a print still carries
it; re-encoding also drops the scan's metadata (EXIF, GPS). The mark is ASCII only (the
masked ID number, the time and the grant number), so Pillow's built-in font draws it and
no CJK font is needed.

PDFs get a FreeText annotation at the top and the bottom of every page (printed, locked,
with its own appearance so every viewer draws it alike) and the mark in the document
information. We have no PDF drawing library to burn the text into the page content
itself, so a reader with a PDF editor could remove the annotations; the view log still
names them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageDraw, ImageFont, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from portal.uploads import sniff

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
PDF_TYPE = "application/pdf"
# Scans are served at most this many pixels on their long side: enough to read the small
# print of a receipt on any screen, and a bounded amount of memory per request.
MAX_SIDE = 3000
ANGLE = 30
# Grey text with a light outline: visible on white paper and on a dark photo alike.
INK = (70, 70, 70, 105)
OUTLINE = (255, 255, 255, 90)
# PDF annotation flags: Print (4), ReadOnly (64), Locked (128).
PDF_FLAGS = 4 | 64 | 128
PDF_FONT_SIZE = 10
PDF_INK = "0.69 0 0 rg"  # dark red


class WatermarkError(Exception):
    """The file could not be read to be marked; it is never served unmarked."""


@dataclass(frozen=True)
class Stamped:
    content: bytes
    content_type: str
    filename: str


def can_stamp(content_type: str) -> bool:
    return content_type in IMAGE_TYPES or content_type == PDF_TYPE


def stamp(data: bytes, *, text: str, filename: str) -> Stamped:
    """The file `data` marked with `text` (ASCII), and the name to serve it under. The type
    is read from the content, as when it was uploaded."""
    sniffed = sniff(data[:16], data)
    kind = sniffed.content_type if sniffed else ""
    stem = PurePath(filename).stem or "voucher"
    if kind in IMAGE_TYPES:
        content, content_type, extension = _stamp_image(data, text)
    elif kind == PDF_TYPE:
        content, content_type, extension = _stamp_pdf(data, text), PDF_TYPE, ".pdf"
    else:
        raise WatermarkError(f"cannot mark a file of type {kind or 'unknown'}")
    return Stamped(content=content, content_type=content_type, filename=stem + extension)


def _stamp_image(data: bytes, text: str) -> tuple[bytes, str, str]:
    try:
        with Image.open(io.BytesIO(data)) as source:
            photo = source.format in ("JPEG", "WEBP")
            # A JPEG decodes straight at a reduced scale when it is larger than served.
            source.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image = ImageOps.exif_transpose(source).convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise WatermarkError("unreadable image") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Transparent parts of a scan become paper, so the mark shows on them too.
    canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
    canvas.alpha_composite(image)
    canvas.alpha_composite(_tiled(image.size, text))
    out = io.BytesIO()
    if photo:
        canvas.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg", ".jpg"
    canvas.convert("RGB").save(out, "PNG")
    return out.getvalue(), "image/png", ".png"


def _tiled(size: tuple[int, int], text: str) -> Image.Image:
    """A transparent layer of `size` with `text` repeated along diagonal lines."""
    width, height = size
    font_size = max(12, min(width, height) // 30)
    font = ImageFont.load_default(size=font_size)
    left, top, right, bottom = font.getbbox(text)
    step_x = (right - left) + font_size * 3
    step_y = (bottom - top) + font_size * 3
    # Drawn on a square as large as the diagonal, turned, then cut to the picture, so the
    # turned rows reach every corner.
    side = math.ceil(math.hypot(width, height)) + step_y
    layer = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    stroke = max(1, font_size // 14)
    for row, y in enumerate(range(0, side, step_y)):
        shift = (step_x // 2) * (row % 2)
        for x in range(-shift, side, step_x):
            draw.text((x, y), text, font=font, fill=INK, stroke_width=stroke, stroke_fill=OUTLINE)
    layer = layer.rotate(ANGLE, resample=Image.Resampling.BICUBIC)
    x0, y0 = (side - width) // 2, (side - height) // 2
    return layer.crop((x0, y0, x0 + width, y0 + height))


def _stamp_pdf(data: bytes, text: str) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise WatermarkError("encrypted PDF")
        writer = PdfWriter(clone_from=reader)
        for number, page in enumerate(writer.pages):
            box = page.mediabox
            x0, y0, x1, y1 = (float(v) for v in (box.left, box.bottom, box.right, box.top))
            margin = min(18.0, (y1 - y0) / 10)
            height = PDF_FONT_SIZE + 6.0
            for low in (y1 - margin - height, y0 + margin):
                rect = (x0 + margin, low, x1 - margin, low + height)
                annotation = FreeText(
                    text=text,
                    rect=rect,
                    font_size=f"{PDF_FONT_SIZE}pt",
                    font_color="b00000",
                    border_color=None,
                    background_color=None,
                )
                annotation[NameObject("/F")] = NumberObject(PDF_FLAGS)
                annotation[NameObject("/DA")] = TextStringObject(
                    f"/Helv {PDF_FONT_SIZE} Tf {PDF_INK}"
                )
                annotation[NameObject("/AP")] = DictionaryObject(
                    {NameObject("/N"): _appearance(writer, text, rect[2] - rect[0], height)}
                )
                writer.add_annotation(page_number=number, annotation=annotation)
        writer.add_metadata({"/Subject": text, "/Keywords": text})
        out = io.BytesIO()
        writer.write(out)
    except WatermarkError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        raise WatermarkError("unreadable PDF") from exc
    return out.getvalue()


def _appearance(writer: PdfWriter, text: str, width: float, height: float):
    """The annotation's drawn form (a few PDF text operators in Helvetica), so every
    viewer shows and prints it the same instead of each making up its own."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = DecodedStreamObject()
    stream.set_data(
        f"BT /Helv {PDF_FONT_SIZE} Tf {PDF_INK} 2 4 Td ({escaped}) Tj ET".encode("ascii")
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): DictionaryObject(
                {
                    NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font}),
                }
            ),
        }
    )
    # A stream must be an indirect object; pypdf has no public name for adding one.
    return writer._add_object(stream)
