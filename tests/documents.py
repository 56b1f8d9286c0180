"""Test data: short passages for retrieval, PDFs written with fpdf2, a news page in HTML."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

#: Short passages for retrieval unit tests: names, numbers and near-duplicates.
PASSAGES = [
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "They were descended from Norse raiders and pirates from Denmark, Iceland and Norway.",
    "Rollo, their leader, agreed to swear fealty to King Charles III of West Francia.",
    "The Norman dynasty had a major political, cultural and military impact on medieval Europe.",
    "Pete Hegseth, the US Secretary of Defense, met the Ukrainian delegation in Geneva.",
    "Trump and Zelensky met at the Vatican before the funeral of Pope Francis.",
    "The Normans were famed for their martial spirit and eventually for their Christian piety.",
]

HEADER = "Journal of Planetary Tests - Issue 4"

#: Two pages, lines exactly as printed: a running header and a "Page n of 2" footer on
#: both, "measure-" hyphenated at a line end, and a sentence that goes on across the
#: page break ("...below the" / "surface...").
ROVER_PAGES = [
    [
        ["Rover finds ice near the crater"],
        [
            "The Perseverance rover found water ice near the Jezero crater in March. It was",
            "the first such find, and the team was very happy about it.",
        ],
        [
            "Scientists called the discovery a turning point for the whole mission. The measure-",
            "ments were taken by the onboard spectrometer on a cold morning.",
        ],
        [
            "According to the team, the ice lies about two metres below the",
        ],
    ],
    [
        [
            "surface of the crater floor, under a layer of dust and rock.",
        ],
        [
            "The rover will drill into the ice in August to take a sample back to Earth.",
            "Engineers at the laboratory in Pasadena built a new drill bit for the job.",
        ],
    ],
]


class _Doc(FPDF):
    header_text = ""

    def header(self) -> None:
        if self.header_text:
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, self.header_text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

    def footer(self) -> None:
        if self.header_text:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")


def make_pdf(
    path: Path,
    pages: list[list[list[str]]] = ROVER_PAGES,
    title: str = "Rover Report",
    running: str = HEADER,
) -> Path:
    """Write ``pages`` (paragraphs of printed lines) as a PDF with a header and footer."""
    pdf = _Doc()
    pdf.header_text = running
    if title:
        pdf.set_title(title)
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        for lines in paragraphs:
            for line in lines:
                pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path, image: Path) -> Path:
    """A PDF whose pages are only a picture of text: no text layer, as a scan."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).text((20, 80), "The rover found ice near the crater.", fill="black")
    picture.save(image)
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(str(image), x=10, y=10, w=180)
    pdf.output(str(path))
    return path


#: A news page as sites serve it: menus, a cookie banner, a byline, a footer.
NEWS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Bridge reopens after repairs | City Gazette</title>
<meta name="author" content="Maria Lopez">
<meta property="article:published_time" content="2024-05-14T08:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/city">City</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<article>
<h1>Bridge reopens after repairs</h1>
<p class="byline">By Maria Lopez</p>
<p>The Old Town bridge reopened on Monday after eighteen months of repairs, the city council said.
The work cost 42 million euros and replaced every steel cable of the span.</p>
<p>Engineers from the firm Halden &amp; Sons found corrosion in the cables during a routine
inspection in 2022, which led the council to close the bridge to all traffic.</p>
<p>Buses will return to the bridge next week, while lorries heavier than 12 tonnes remain banned
until the council finishes a second load test in the autumn.</p>
</article>
<footer><p>Copyright 2024 City Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>
</body></html>
"""
