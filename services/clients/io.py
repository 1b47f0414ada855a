"""Clients in and out of spreadsheets: CSV import (validated, previewed, all-or-nothing) and CSV/XLSX
export of a list view (formulas neutralised, SECURITY.md V4: the CSV by defusedcsv's apostrophe, the XLSX
by writing every text as a text cell)."""

import csv
import io
import itertools
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


@dataclass
class ImportRow:
    line: int
    data: dict
    errors: list[str] = field(default_factory=list)
    duplicate_of: str = ""
    traza_id: int | None = None  # the "id" column of a file exported from Traza


def read_csv(raw: bytes) -> tuple[list[dict], str | None]:
    """Rows as dicts keyed by the expected column names, or an error for the whole file."""
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return _read_rows(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))  # any line ending
    except csv.Error:  # a stray quote or carriage return, a cell past the csv module's limit
        return [], _("This file could not be read as CSV. Save it again as CSV (UTF-8) and try again.")


def _read_rows(reader) -> tuple[list[dict], str | None]:
    reader.fieldnames = [_column(h) for h in (reader.fieldnames or [])]
    missing = [c for c in ("nombre",) if c not in reader.fieldnames]
    if missing:
        return [], _("The file needs a header row with at least the column “nombre”. Expected columns: %(cols)s.",
                     cols=", ".join(COLUMNS))
    rows = []
    for raw_row in reader:
        rows.append({k: (v or "").strip() for k, v in raw_row.items() if k})
        if len(rows) > MAX_ROWS:
            return [], _("At most %(n)d rows per import.", n=MAX_ROWS)
    if not rows:
        return [], _("The file has no rows.")
    return rows, None


def _column(header: str | None) -> str:
    """'Teléfono', ' PAIS ' and 'tipo documento' name the columns telefono, pais and tipo_documento."""
    return "_".join(fold(header or "").split())


def validate(rows: list[dict]) -> list[ImportRow]:
    """Check every row like the intake form does, and find duplicates in the file and in Traza (few queries)."""
    areas = {name_key(a.name): a.id for a in PracticeArea.active()}
    result, seen_docs, seen_emails = [], {}, {}
    for number, row in enumerate(rows, start=2):
        item = ImportRow(number, {})
        d = item.data
        d["name"] = row.get("nombre", "")[:200]
        d["kind"] = KINDS.get(fold(row.get("tipo", "")))
        d["document_type"] = row.get("tipo_documento", "").upper()
        masked = MASK in row.get("numero_documento", "")  # a list exported without document numbers
        d["document_number"] = "" if masked else "".join(ch for ch in row.get("numero_documento", "").upper() if ch.isalnum())
        item.traza_id = int(row["id"]) if row.get("id", "").isdigit() and len(row["id"]) < 12 else None
        d["email"] = row.get("correo", "").lower()
        d["city"], d["country"] = row.get("ciudad", "")[:100], (row.get("pais", "") or "CO").upper()[:2]
        d["practice_area"] = areas.get(name_key(row.get("area", "")))
        d["source"] = SOURCES.get(fold(row.get("origen", "")))
        d["need"] = row.get("necesidad", "")[:4000]
        if not d["name"]:
            item.errors.append(_("The name is missing."))
        if d["kind"] is None:
            item.errors.append(_("Type must be “persona” or “empresa”."))
        if d["document_number"] and not valid_document(d["document_type"], d["document_number"]):
            item.errors.append(_("The document number is not valid for its type."))
        if d["email"] and ("@" not in d["email"] or "." not in d["email"].split("@")[-1]):
            item.errors.append(_("The email address is not valid."))
        try:
            d["phone"] = normalise_phone(row["telefono"], d["country"]) if row.get("telefono") else ""
        except ValueError:
            item.errors.append(_("The phone number is not valid."))
        if row.get("area") and d["practice_area"] is None:
            item.errors.append(_("Unknown practice area: %(area)s.", area=row["area"]))
        if d["source"] is None:
            item.errors.append(_("Unknown source: %(source)s.", source=row.get("origen", "")))
        if d["document_number"]:
            key = (d["document_type"], d["document_number"])
            if key in seen_docs:
                item.duplicate_of = _("line %(n)d of this file", n=seen_docs[key])
            seen_docs.setdefault(key, number)
        if d["email"]:
            if d["email"] in seen_emails and not item.duplicate_of:
                item.duplicate_of = _("line %(n)d of this file", n=seen_emails[d["email"]])
            seen_emails.setdefault(d["email"], number)
        result.append(item)
    _mark_existing(result)
    return result


def _mark_existing(items: list[ImportRow]) -> None:
    by_index = {document_index(i.data["document_type"], i.data["document_number"]): i for i in items
                if i.data.get("document_number") and i.data["document_type"] in DOCUMENT_TYPES}
    by_email = {i.data["email"]: i for i in items if i.data.get("email")}
    for chunk in _chunks(list(by_index), 500):
        for c in Client.select(Client.id, Client.name, Client.document_index).where(Client.document_index.in_(chunk)):
            by_index[c.document_index].duplicate_of = by_index[c.document_index].duplicate_of or c.name
    for chunk in _chunks(list(by_email), 500):
        for c in Client.select(Client.id, Client.name, Client.email).where(Client.email.in_(chunk)):
            by_email[c.email].duplicate_of = by_email[c.email].duplicate_of or c.name
    # A row of an exported list names its client by id; the name must agree (a file from elsewhere may reuse ids).
    by_id = {i.traza_id: i for i in items if i.traza_id}
    for chunk in _chunks(list(by_id), 500):
        for c in Client.select(Client.id, Client.name, Client.name_key).where(Client.id.in_(chunk)):
            if c.name_key == name_key(by_id[c.id].data["name"]):
                by_id[c.id].duplicate_of = by_id[c.id].duplicate_of or c.name


def _chunks(values, size):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def import_rows(items: list[ImportRow], user) -> int:
    """All or nothing: every row valid and new, then one transaction."""
    if any(i.errors or i.duplicate_of for i in items):
        raise service.TransitionError(_("Fix the rows with errors or duplicates before importing."))
    defaults = {"phone_alt": "", "address": "", "preferred_channel": "email", "responsible": None, "customer_type": "",
                "special_requirements": ""}
    with transaction():
        ids = service.register_many([{**defaults, **item.data} for item in items], user)
        audit.record("client_import", object_type="client", actor=user, fields=["document_number"],
                     detail=f"rows={len(ids)} ids={ids[0]}-{ids[-1]}")
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
