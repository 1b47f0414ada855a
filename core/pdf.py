"""Printable documents as PDF (fpdf2, pure Python: nothing to install on the machine)."""

from fpdf import FPDF

# The built-in PDF fonts speak Latin-1: Spanish letters are there; a few typographic signs are not.
_REPLACE = str.maketrans({"—": "-", "–": "-", "•": "*", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "€": "EUR",
                          "\u00a0": " ", "\u202f": " "})


def latin1(text) -> str:
    return str(text).translate(_REPLACE).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    def __init__(self, firm: str, title: str):
        super().__init__(format="A4")
        self.firm, self.doc_title = latin1(firm), latin1(title)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()

    def header(self):
        self.set_font("Helvetica", "B", 10)
        self.set_text_color(31, 78, 121)
        self.cell(0, 6, self.firm, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(223, 228, 234)
        self.line(18, self.get_y() + 1, 192, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(24, 34, 46)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 100, 115)
        self.cell(0, 5, f"{self.doc_title} - {self.page_no()}", align="R")

    def title_block(self, title: str, subtitle: str = ""):
        self.set_font("Helvetica", "B", 16)
        self.cell(0, 9, latin1(title), new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.set_font("Helvetica", "", 10)
            self.set_text_color(74, 86, 102)
            self.multi_cell(0, 5, latin1(subtitle))
            self.set_text_color(24, 34, 46)
        self.ln(3)

    def facts(self, rows):
        for label, value in rows:
            self.set_font("Helvetica", "B", 9)
            self.cell(45, 6, latin1(label))
            self.set_font("Helvetica", "", 9)
            self.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table(self, headers, rows, widths, aligns):
        self.set_font("Helvetica", "B", 8.5)
        self.set_fill_color(238, 241, 244)
        for header, width, align in zip(headers, widths, aligns, strict=True):
            self.cell(width, 7, latin1(header), border=0, align=align, fill=True)
        self.ln()
        self.set_font("Helvetica", "", 9)
        for row in rows:
            for value, width, align in zip(row, widths, aligns, strict=True):
                self.cell(width, 6.5, latin1(value), border="B", align=align)
            self.ln()
        self.ln(2)

    def paragraph(self, heading: str, text: str):
        if not text:
            return
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 7, latin1(heading), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9.5)
        self.multi_cell(0, 5, latin1(text))
        self.ln(2)

    def bytes(self) -> bytes:
        return bytes(self.output())
