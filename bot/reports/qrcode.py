"""A printable QR poster for a commune's notice board: scanning it opens the bot with the place chosen.

The deep link is `https://t.me/<bot>?start=gopy_<unit-id>` (handled by /start in bot/handlers/citizen.py).
The place's full name is printed under the code so a poster can never be hung in the wrong commune
unnoticed. Text is drawn with the DejaVu Sans that ships inside matplotlib (every Vietnamese diacritic,
no system font needed) and normalised to NFC first: precomposed letters render without a shaping engine.
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.texts import reports as T

DEEP_LINK_PREFIX = "gopy_"
PNG_MIME = "image/png"
TARGET_QR_PX = 640
MARGIN = 24
LINE_GAP = 10
PRINT_DPI = 300


def deep_link(username: str, unit_id: str) -> str:
    return f"https://t.me/{username.lstrip('@')}?start={DEEP_LINK_PREFIX}{unit_id}"


def file_name(unit_id: str) -> str:
    return f"qr_{unit_id}.png"


@lru_cache(maxsize=1)
def font_dir() -> Path:
    import matplotlib  # only for the location of its bundled fonts

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_dir() / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def build_qr_poster(link: str, place: str, *, username: str | None = None) -> bytes:
    """PNG: the QR code, then the place in bold, the instruction, and the bot's name in small print."""
    image = render_qr_poster(link, place, username=username)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(PRINT_DPI, PRINT_DPI), optimize=True)
    return buffer.getvalue()


def render_qr_poster(link: str, place: str, *, username: str | None = None) -> Image.Image:
    qr = segno.make(link, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    scale = max(8, TARGET_QR_PX // modules)
    raw = io.BytesIO()
    qr.save(raw, kind="png", scale=scale, border=4)
    raw.seek(0)
    code = Image.open(raw).convert("RGB")

    width = code.width + 2 * MARGIN
    text_width = width - 2 * MARGIN
    blocks: list[tuple[list[str], ImageFont.FreeTypeFont, str]] = [
        (_wrap(_nfc(place), font(34, bold=True), text_width), font(34, bold=True), "#000000"),
        (_wrap(_nfc(T.QR_INSTRUCTION), font(30), text_width), font(30), "#1f4e79"),
    ]
    if username:
        small = font(20)
        blocks.append((_wrap(_nfc(T.QR_SUBTITLE.format(username=username.lstrip("@"))), small, text_width),
                       small, "#555555"))
    text_height = sum(_line_height(f) * len(lines) + LINE_GAP * 2 for lines, f, _ in blocks)
    canvas = Image.new("RGB", (width, MARGIN + code.height + text_height + MARGIN), "white")
    canvas.paste(code, (MARGIN, MARGIN))
    draw = ImageDraw.Draw(canvas)
    y = MARGIN + code.height
    for lines, face, colour in blocks:
        y += LINE_GAP
        for line in lines:
            line_width = draw.textlength(line, font=face)
            draw.text(((width - line_width) / 2, y), line, font=face, fill=colour)
            y += _line_height(face)
        y += LINE_GAP
    return canvas


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _line_height(face: ImageFont.FreeTypeFont) -> int:
    ascent, descent = face.getmetrics()
    return ascent + descent + 4  # Vietnamese stacks two marks above capitals (Ế, Ộ): keep the full ascent


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy wrap by rendered width; a single word wider than the line is kept whole."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and face.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]
