"""Clients in and out of spreadsheets: CSV import (validated, previewed, all-or-nothing) and CSV/XLSX
export of a list view (formulas neutralised, SECURITY.md V4: the CSV by defusedcsv's apostrophe, the XLSX
by writing every text as a text cell)."""

import base64
import binascii
import csv
import io
import itertools
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

import defusedcsv.csv as safe_csv
from flask_babel import gettext as _

from core import audit
from core.db import transaction
from core.i18n import to_local
from core.text import fold, name_key
from core.validation import normalise_phone, valid_document
from models.catalog import PracticeArea
from models.clients import DOCUMENT_TYPES, Client, document_index
from services import clients as service
from services.clients import labels

COLUMNS = ("nombre", "tipo", "tipo_documento", "numero_documento", "correo", "telefono", "ciudad", "pais",
           "area", "origen", "necesidad")
MAX_ROWS = 10_000
# The file's words are Spanish, as the import template shows them; the export writes the same words so that an
# exported file reads back. Lookups fold case and accents; the long labels of the screens and the stored codes
# (files exported before the export wrote Spanish) are accepted too.
KIND_WORDS = {"person": "persona", "company": "empresa"}
SOURCE_WORDS = {"visit": "visita", "social": "redes", "alliance": "alianza", "referral": "referido", "web": "web",
                "other": "otro"}
STATUS_WORDS = {"prospect": "prospecto", "evaluating": "en evaluación", "accepted": "aceptado", "rejected": "rechazado",
                "active": "activo", "former": "excliente"}
KINDS = {"": "person", **{code: code for code in KIND_WORDS}, **{word: code for code, word in KIND_WORDS.items()}}
SOURCES = {"": "other", **{code: code for code in SOURCE_WORDS}, **{word: code for code, word in SOURCE_WORDS.items()},
           "visita comercial": "visit", "redes sociales": "social", "alianza estrategica": "alliance",
           "referido por un cliente": "referral", "sitio web": "web"}
MASK = "•"  # a masked document number ("•••• 3456") says there is one, not which


MAX_BYTES = 5 * 1024 * 1024
EXAMPLES = 25  # rows kept per kind of problem for the result page (the rejected-rows file has them all)
FORMULA_START = "@+-=|%"  # what defusedcsv guards with an apostrophe (to_csv), undone when a file is read back


@dataclass(frozen=True)
class Problem:
    """Why a row stays out: a kind of ``labels.IMPORT_PROBLEMS``, the file's own name of the column, the value as
    given (a document number masked) and, for a duplicate, whom it repeats."""
    kind: str
    column: str
    value: str
    detail: str = ""


@dataclass
class ImportRow:
    line: int
    data: dict
    errors: list[Problem] = field(default_factory=list)
    duplicate: Problem | None = None
    traza_id: int | None = None  # the "id" column of a file exported from Traza

    @property
    def problems(self) -> list[Problem]:
        return self.errors + ([self.duplicate] if self.duplicate else [])


@dataclass
class Sheet:
    """A file as read: its header row and cells as given (the rejected rows are written back from them), and
    each row keyed by the import's column names."""
    headers: list[str]
    cells: list[list[str]]
    rows: list[dict]

    def column(self, name: str) -> str:
        """The file's own header for one of COLUMNS ('Teléfono' for telefono)."""
        return next((h.strip() for h in self.headers if _column(h) == name), name)


@dataclass
class ProblemGroup:
    kind: str
    title: str
    hint: str
    count: int = 0
    examples: list[tuple[int, Problem]] = field(default_factory=list)  # (row number, problem), at most EXAMPLES


def pack(raw: bytes) -> str:
    """The uploaded file for the page's hidden field (preview, then import or download): compressed, so a
    10,000-row file does not make the page as heavy as itself, and checked again when it comes back."""
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(text: str) -> bytes | None:
    """The file of ``pack``, or None when the field was not written by it; at most MAX_BYTES + 1 bytes."""
    try:
        inflater = zlib.decompressobj()
        return inflater.decompress(base64.b64decode(text or "", validate=True), MAX_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        return None


def read_file(raw: bytes) -> tuple[Sheet | None, str | None]:
    """The file's rows, or an error for the whole file."""
    if len(raw) > MAX_BYTES:
        return None, _("The file is larger than 5 MB.")
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # The header line tells the delimiter (a need written with commas does not outvote it); the first lines if
    # the header has neither.
    header = text.split("\n", 1)[0]
    sample = header if header.count(";") != header.count(",") else text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return _read_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))  # any line ending
    except csv.Error:  # a stray quote or carriage return, a cell past the csv module's limit
        return None, _("This file could not be read as CSV. Save it again as CSV (UTF-8) and try again.")


def _read_rows(reader) -> tuple[Sheet | None, str | None]:
    headers = next(reader, [])
    names = [_column(h) for h in headers]
    if "nombre" not in names:
        return None, _("The file needs a header row with at least the column “nombre”. Expected columns: %(cols)s.",
                       cols=", ".join(COLUMNS))
    cells, rows = [], []
    for values in reader:
        if not values:  # an empty line, as csv.DictReader skips it
            continue
        cells.append(values)
        rows.append({k: _cell(v) for k, v in zip(names, values, strict=False) if k})
        if len(rows) > MAX_ROWS:
            return None, _("At most %(n)d rows per import.", n=MAX_ROWS)
    if not rows:
        return None, _("The file has no rows.")
    return Sheet(headers, cells, rows), None


def _column(header: str | None) -> str:
    """'Teléfono', ' PAIS ' and 'tipo documento' name the columns telefono, pais and tipo_documento."""
    return "_".join(fold(header or "").split())


def _cell(value: str) -> str:
    """A cell without its spaces, and without the apostrophe a Traza file (an export, the rejected rows) put
    before a value a spreadsheet would take for a formula."""
    value = (value or "").strip()
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        value = value[1:].replace("\\|", "|")
    return value


def mask(number: str) -> str:
    """A document number as the pages show one ("•••• 3456"); a short one not at all."""
    number = "".join(ch for ch in number if ch.isalnum())
    return f"{MASK * 4} {number[-4:]}" if len(number) >= 6 else MASK * 4


def validate(sheet: Sheet) -> list[ImportRow]:
    """Check every row like the intake form does, and find duplicates in the file and in Traza (few queries)."""
    areas = {name_key(a.name): a.id for a in PracticeArea.active()}
    col = {name: sheet.column(name) for name in (*COLUMNS, "id")}
    result, seen_docs, seen_emails = [], {}, {}
    for number, row in enumerate(sheet.rows, start=2):
        item = ImportRow(number, {})
        d = item.data
        d["name"] = row.get("nombre", "")[:200]
        d["kind"] = KINDS.get(fold(row.get("tipo", "")))
        d["document_type"] = row.get("tipo_documento", "").upper()
        given_document = row.get("numero_documento", "")
        masked = MASK in given_document  # a list exported without document numbers
        d["document_number"] = "" if masked else "".join(ch for ch in given_document.upper() if ch.isalnum())
        item.traza_id = int(row["id"]) if row.get("id", "").isdigit() and len(row["id"]) < 12 else None
        d["email"] = row.get("correo", "").lower()
        d["city"], d["country"] = row.get("ciudad", "")[:100], (row.get("pais", "") or "CO").upper()[:2]
        d["practice_area"] = areas.get(name_key(row.get("area", "")))
        d["source"] = SOURCES.get(fold(row.get("origen", "")))
        d["need"] = row.get("necesidad", "")[:4000]
        problems = item.errors
        if not d["name"]:
            problems.append(Problem("name", col["nombre"], ""))
        if d["kind"] is None:
            problems.append(Problem("kind", col["tipo"], row.get("tipo", "")))
        if d["document_number"] and not valid_document(d["document_type"], d["document_number"]):
            shown = f"{d['document_type']} {mask(given_document)}" if d["document_type"] else mask(given_document)
            problems.append(Problem("document", col["numero_documento"], shown))
        if d["email"] and ("@" not in d["email"] or "." not in d["email"].split("@")[-1]):
            problems.append(Problem("email", col["correo"], row.get("correo", "")))
        try:
            d["phone"] = normalise_phone(row["telefono"], d["country"]) if row.get("telefono") else ""
        except ValueError:
            problems.append(Problem("phone", col["telefono"], row["telefono"]))
        if row.get("area") and d["practice_area"] is None:
            problems.append(Problem("area", col["area"], row["area"]))
        if d["source"] is None:
            problems.append(Problem("source", col["origen"], row.get("origen", "")))
        if d["document_number"]:
            key = (d["document_type"], d["document_number"])
            if key in seen_docs:
                item.duplicate = Problem("duplicate", col["numero_documento"], mask(given_document),
                                         _("row %(n)d of this file", n=seen_docs[key]))
            seen_docs.setdefault(key, number)
        if d["email"]:
            if d["email"] in seen_emails and not item.duplicate:
                item.duplicate = Problem("duplicate", col["correo"], row.get("correo", ""),
                                         _("row %(n)d of this file", n=seen_emails[d["email"]]))
            seen_emails.setdefault(d["email"], number)
        result.append(item)
    _mark_existing(result, col)
    return result


def _mark_existing(items: list[ImportRow], col: dict) -> None:
    """Rows that name a client Traza has: one query per 500 document numbers, emails or ids."""
    by_index = {document_index(i.data["document_type"], i.data["document_number"]): i for i in items
                if i.data.get("document_number") and i.data["document_type"] in DOCUMENT_TYPES}
    by_email = {i.data["email"]: i for i in items if i.data.get("email")}
    for chunk in _chunks(list(by_index), 500):
        for c in Client.select(Client.id, Client.name, Client.document_index).where(Client.document_index.in_(chunk)):
            item = by_index[c.document_index]
            item.duplicate = item.duplicate or Problem("duplicate", col["numero_documento"],
                                                       mask(item.data["document_number"]), c.name)
    for chunk in _chunks(list(by_email), 500):
        for c in Client.select(Client.id, Client.name, Client.email).where(Client.email.in_(chunk)):
            item = by_email[c.email]
            item.duplicate = item.duplicate or Problem("duplicate", col["correo"], c.email, c.name)
    # A row of an exported list names its client by id; the name must agree (a file from elsewhere may reuse ids).
    by_id = {i.traza_id: i for i in items if i.traza_id}
    for chunk in _chunks(list(by_id), 500):
        for c in Client.select(Client.id, Client.name, Client.name_key).where(Client.id.in_(chunk)):
            item = by_id[c.id]
            if c.name_key == name_key(item.data["name"]):
                item.duplicate = item.duplicate or Problem("duplicate", col["id"], str(c.id), c.name)


def _chunks(values, size):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def problem_groups(items: list[ImportRow]) -> list[ProblemGroup]:
    """The rejected rows by kind of problem, in the order of labels.IMPORT_PROBLEMS: how many rows each, and
    the first EXAMPLES of them (row number, column, value as given)."""
    groups = {kind: ProblemGroup(kind, str(title), str(hint)) for kind, (title, hint) in labels.IMPORT_PROBLEMS.items()}
    for item in items:
        for problem in item.problems:
            group = groups[problem.kind]
            group.count += 1
            if len(group.examples) < EXAMPLES:
                group.examples.append((item.line, problem))
    if groups["area"].count:
        groups["area"].hint %= {"areas": ", ".join(a.name for a in PracticeArea.active()) or "—"}
    return [g for g in groups.values() if g.count]


def rejected_rows(sheet: Sheet, items: list[ImportRow]) -> tuple[list[str], list[list[str]]]:
    """The rejected rows as the file gave them, with an "error" column saying why (replacing one the file
    had: a rejected-rows file comes back fixed)."""
    keep = [i for i, h in enumerate(sheet.headers) if _column(h) != "error"]
    width = len(sheet.headers)
    rows = []
    for item, cells in zip(items, sheet.cells, strict=True):
        if item.problems:
            cells = (cells + [""] * width)[:width]
            rows.append([cells[i] for i in keep] + [_reason(item)])
    return [sheet.headers[i] for i in keep] + ["error"], rows


def _reason(item: ImportRow) -> str:
    titles = labels.IMPORT_PROBLEMS
    return " · ".join(f"{titles[p.kind][0]}: {p.detail}" if p.detail else str(titles[p.kind][0]) for p in item.problems)


def import_rows(items: list[ImportRow], user, responsible=None, skip_rejected: bool = False) -> int:
    """One transaction: every row valid and new, or with ``skip_rejected`` the valid rows only (the rejected
    ones go back to the person as a file to fix). ``responsible``: a user id for every imported client."""
    chosen = [i for i in items if not i.problems]
    if not chosen or (len(chosen) < len(items) and not skip_rejected):
        raise service.TransitionError(_("Fix the rows with errors or duplicates before importing."))
    defaults = {"phone_alt": "", "address": "", "preferred_channel": "email", "responsible": responsible or None,
                "customer_type": "", "special_requirements": ""}
    with transaction():
        ids = service.register_many([{**defaults, **item.data} for item in chosen], user)
        audit.record("client_import", object_type="client", actor=user,
                     fields=["document_number"] + (["responsible"] if responsible else []),
                     detail=f"rows={len(ids)} ids={ids[0]}-{ids[-1]} left_out={len(items) - len(chosen)}"
                            + (f" responsible={responsible}" if responsible else ""))
    return len(ids)


EXPORT_HEADERS = ("id", "nombre", "tipo", "estado", "tipo_documento", "numero_documento", "correo", "telefono",
                  "ciudad", "pais", "area", "responsable", "origen", "creado")


def export_rows(query, full_documents: bool):
    """One row per client in the import's columns and words, "creado" being the firm's day (not UTC's)."""
    for c in query.iterator():
        yield [c.id, c.name, KIND_WORDS.get(c.kind, c.kind), STATUS_WORDS.get(c.status, c.status), c.document_type,
               c.reveal_document() if full_documents else c.masked_document, c.email, c.phone, c.city, c.country,
               c.practice_area.name if c.practice_area_id else "", c.responsible.display_name if c.responsible_id else "",
               SOURCE_WORDS.get(c.source, c.source), to_local(c.created_at).date()]


def to_csv(rows, headers=None) -> str:
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, delimiter=";")  # defusedcsv prefixes cells that a spreadsheet would run
    writer.writerow(headers or EXPORT_HEADERS)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 with accents intact


XLSX_SAMPLE = 500  # rows read ahead to size the columns (the sheet is streamed: widths go before the rows)
XLSX_MAX_WIDTH = 60


def _xlsx_cell(sheet, value, font=None):
    """A typed cell: numbers and dates as such (dates read dd/mm/yyyy), text always as text. A text that
    would be a formula ('=HYPERLINK(…)') is written as the string cell it is, never as a formula
    (SECURITY.md V4), so it needs no apostrophe, which would only spoil phone numbers such as +57 300…"""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"
    if font is not None:
        cell.font = font
    return cell


def _xlsx_width(value) -> int:
    if isinstance(value, date):
        return 16 if isinstance(value, datetime) else 10
    return len(str(value)) if value is not None else 0


def to_xlsx(rows, headers=None, title: str = "Clientes") -> bytes:
    """A sheet to work with: typed cells, a bold header row that stays in view, an autofilter on every
    column, and columns as wide as their content (from the first rows). Streamed (write-only), so a full
    export of 100,000 clients does not sit in memory."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = list(headers or EXPORT_HEADERS)
    rows = iter(rows)
    sample = list(itertools.islice(rows, XLSX_SAMPLE))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for i, header in enumerate(headers):
        widest = max([len(header)] + [_xlsx_width(r[i]) for r in sample if i < len(r)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(widest + 2, XLSX_MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, h, bold) for h in headers])
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
