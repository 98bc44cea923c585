"""Draw the application icon (resources/icons/fielddesk.png and .ico) from the bundled font.

Run from the repository root after changing the design:
    .venv/bin/python scripts/assets/make_icons.py
The output is committed; the app and build.spec only read it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
OUT = ROOT / "resources" / "icons"
SIZE = 512


def draw() -> Image.Image:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # A deep red tile (the bureau's seal colour) with a lighter pin-shaped mark.
    d.rounded_rectangle((16, 16, SIZE - 16, SIZE - 16), radius=96, fill=(176, 32, 40, 255))
    d.rounded_rectangle((40, 40, SIZE - 40, SIZE - 40), radius=76, outline=(255, 214, 150, 255),
                        width=10)
    font = ImageFont.truetype(str(FONT), 300)
    text = "招"
    box = d.textbbox((0, 0), text, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    d.text(((SIZE - w) / 2 - box[0], (SIZE - h) / 2 - box[1] - 6), text, font=font,
           fill=(255, 244, 230, 255))
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    img = draw()
    img.resize((256, 256), Image.LANCZOS).save(OUT / "fielddesk.png")
    img.save(OUT / "fielddesk.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64),
                                           (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
