"""Writes on document checklists and the requirement catalog, each with its audit row in one transaction
(DESIGN.md §3; the legal-advice guide's "Gestión Documental y Cumplimiento Normativo").

An item of a case's checklist comes from the practice area's requirements when the case opens
(services.cases.apply_requirements) or is added by hand. Every upload is a new version (earlier ones are kept);
the item becomes "received", then a reviewer marks it reviewed, rejects it with a reason, or sends it back
to pending. A reviewed item with a periodic review date that has passed shows as expired.

Downloads are audited: a confidential item's file is a ``sensitive_read`` (SECURITY.md L1); any other case
document a ``file_download``, because case files are the client's personal data (IDs, payslips, letters)
and the firm must be able to say who took a copy (Ley 1581 art. 17); downloads are rare next to page views.
"""

from datetime import timedelta

from flask_babel import gettext as _
from peewee import fn

from core import audit, files
from core.db import transaction, utcnow
from models.cases import Case
from models.catalog import PracticeArea
from models.documents import DocumentItem, DocumentVersion, RequirementTemplate
from models.files import StoredFile

DECISIONS = ("reviewed", "rejected", "pending")


class DocumentError(ValueError):
    pass


# ----- reads the checklist page needs -----

def versions_by_item(item_ids, case=None) -> dict[int, list[DocumentVersion]]:
    """Every version of these items, newest first, with its file and uploader: one query for the page. ``case``:
    the items are all of that case's, read with the checklist's prepared query."""
    grouped: dict[int, list[DocumentVersion]] = {i: [] for i in item_ids}
    if not item_ids:
        return grouped
    for version in DocumentVersion.of_case(case) if case is not None else DocumentVersion.listed(list(item_ids)):
        grouped[version.item_id].append(version)
    return grouped


def version_for_download(version_id: int):
    """The version with its item and file (one query), or None."""
    return (DocumentVersion.select(DocumentVersion, DocumentItem, StoredFile).join(DocumentItem).switch(DocumentVersion)
            .join(StoredFile).where(DocumentVersion.id == version_id, Case.reachable_by(DocumentItem.case)).first())


# ----- checklist writes -----

def _open(case: Case) -> None:
    if case.status == "closed":
        raise DocumentError(_("The case is closed: its checklist no longer changes."))


def add_item(case: Case, data: dict, user) -> DocumentItem:
    _open(case)
    with transaction():
        item = DocumentItem.create(case=case, created_by=user, status="pending", **data)
        audit.record("document_item_add", item, actor=user, fields=sorted(data), detail=f"case={case.id}")
    return item


def upload(item: DocumentItem, case: Case, upload, note: str, user) -> DocumentVersion:
    """A new version of the item's file; the item becomes received. FileRejected leaves nothing behind."""
    _open(case)
    checked = files.check(upload)  # before the transaction: images are decoded and written again
    stored = None
    try:
        with transaction():
            # Touching the row first serialises concurrent uploads of one item (the version number is unique).
            DocumentItem.update(status="received", note="", updated_at=utcnow()).where(DocumentItem.id == item.id).execute()
            number = (DocumentVersion.select(fn.MAX(DocumentVersion.number)).where(DocumentVersion.item == item).scalar() or 0) + 1
            stored = files.save(*checked, purpose="case_document", user=user)
            version = DocumentVersion.create(item=item, number=number, file=stored, note=note, uploaded_by=user)
            audit.record("document_upload", item, actor=user, fields=["file", "status"],
                         detail=f"case={case.id} version={number}")
    except Exception:
        if stored is not None:
            files.discard(stored)
        raise
    item.status, item.note = "received", ""
    return version


def review(item: DocumentItem, case: Case, decision: str, reason: str, review_on, user, today) -> None:
    """Reviewed (with the next periodic review), rejected (with the reason) or back to pending."""
    _open(case)
    if decision not in DECISIONS:
        raise DocumentError(_("Choose a decision."))
    if decision == "rejected" and not reason.strip():
        raise DocumentError(_("Say why the document is rejected."))
    if decision != "pending" and not DocumentVersion.select().where(DocumentVersion.item == item).exists():
        raise DocumentError(_("Upload the document before reviewing it."))
    values = {"status": decision, "updated_at": utcnow(), "note": reason.strip() if decision == "rejected" else ""}
    if decision != "pending":
        values.update(reviewed_by=user, reviewed_at=utcnow())
    if decision == "reviewed":
        if review_on is None:  # the requirement's period, else a review date still ahead, else none
            every = item.template_id and (RequirementTemplate.select(RequirementTemplate.review_every_days)
                                          .where(RequirementTemplate.id == item.template_id).scalar())
            keep = item.review_on if item.review_on and item.review_on >= today else None
            review_on = today + timedelta(days=every) if every else keep
        values["review_on"] = review_on
    elif review_on is not None:
        values["review_on"] = review_on
    with transaction():
        DocumentItem.update(**values).where(DocumentItem.id == item.id).execute()
        audit.record("document_review", item, actor=user, fields=sorted(set(values) - {"updated_at"}),
                     detail=f"case={case.id} {item.status}→{decision}")
    for key, value in values.items():
        setattr(item, key, value)


def download(version: DocumentVersion, user):
    """The file, after its audit row is written (SECURITY.md L1, L2, F4)."""
    item = version.item
    action = "sensitive_read" if item.confidential else "file_download"
    with transaction():
        audit.record(action, item, actor=user, fields=["file"], detail=f"case={item.case_id} version={version.number}")
    response = files.download(version.file)
    response.headers["Cache-Control"] = "no-store"
    return response


# ----- the requirement catalog (admin) -----

def save_template(area: PracticeArea, data: dict, user, template: RequirementTemplate | None = None) -> RequirementTemplate:
    with transaction():
        if template is None:
            last = (RequirementTemplate.select(fn.MAX(RequirementTemplate.position))
                    .where(RequirementTemplate.practice_area == area).scalar())
            template = RequirementTemplate.create(practice_area=area, position=(last or 0) + 1, **data)
            audit.record("catalog_create", template, actor=user, fields=sorted(data), detail=f"area={area.id}")
        else:
            RequirementTemplate.update(updated_at=utcnow(), **data).where(RequirementTemplate.id == template.id).execute()
            audit.record("catalog_update", template, actor=user, fields=sorted(data), detail=f"area={area.id}")
    return template


def move_template(template: RequirementTemplate, direction: str, user) -> None:
    """One place up or down within its area (positions renumbered 1..n)."""
    with transaction():
        rows = list(RequirementTemplate.of_area(template.practice_area_id, only_active=False))
        index = next(i for i, t in enumerate(rows) if t.id == template.id)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows, start=1):
            if row.position != position:
                RequirementTemplate.update(position=position).where(RequirementTemplate.id == row.id).execute()
        audit.record("catalog_update", template, actor=user, fields=["position"], detail=direction)


def add_suggested(area: PracticeArea, user) -> int:
    """The suggested requirements of an area (by its name), when it has none yet; how many were added."""
    suggested = default_requirements().get(area.name, [])
    if not suggested or RequirementTemplate.select().where(RequirementTemplate.practice_area == area).exists():
        return 0
    with transaction():
        rows = [{"practice_area": area.id, "position": n, "created_at": utcnow(), "updated_at": utcnow(), **r}
                for n, r in enumerate(suggested, start=1)]
        RequirementTemplate.insert_many(rows).execute()
        audit.record("catalog_create", area, actor=user, fields=["requirements"], detail=f"suggested={len(rows)}")
    return len(rows)


def _req(name, required=True, confidential=False, due_days=None, review_every_days=None) -> dict:
    return {"name": name, "required": required, "confidential": confidential, "due_days": due_days,
            "review_every_days": review_every_days}


def default_requirements() -> dict[str, list[dict]]:
    """Typical documents per practice area (the demo's areas), in the order the firm asks for them.

    Identity documents and health or financial records are confidential (a special category, SECURITY.md
    PR); a signed power of attorney is not, but it is reviewed yearly because notaries and courts ask for
    recent ones.
    """
    identity = _req("Copia del documento de identidad", confidential=True, due_days=5)
    power = _req("Poder firmado y autenticado", due_days=10, review_every_days=365)
    return {
        "Derecho laboral": [
            identity, power,
            _req("Contrato laboral y otrosíes", due_days=10),
            _req("Carta de despido o de terminación", due_days=10),
            _req("Liquidación de prestaciones sociales", due_days=15),
            _req("Desprendibles de nómina de los últimos seis meses", confidential=True, due_days=15),
            _req("Certificado de aportes a seguridad social", required=False, due_days=20),
            _req("Incapacidades o historia clínica ocupacional", required=False, confidential=True),
        ],
        "Derecho de familia": [
            identity, power,
            _req("Registro civil de matrimonio", due_days=10),
            _req("Registros civiles de nacimiento de los hijos", due_days=10),
            _req("Relación de bienes y deudas de la sociedad conyugal", confidential=True, due_days=20),
            _req("Soportes de ingresos y gastos de los hijos", confidential=True, due_days=20),
            _req("Acta de conciliación previa", required=False),
        ],
        "Derecho comercial y societario": [
            identity, power,
            _req("Certificado de existencia y representación legal", due_days=5, review_every_days=30),
            _req("Estatutos sociales vigentes", due_days=10),
            _req("RUT actualizado", due_days=10, review_every_days=365),
            _req("Estados financieros del último ejercicio", confidential=True, due_days=15),
            _req("Actas de asamblea o junta directiva relacionadas", required=False),
        ],
        "Derecho tributario": [
            identity, power,
            _req("RUT actualizado", due_days=5, review_every_days=365),
            _req("Requerimiento o acto administrativo de la DIAN", due_days=3),
            _req("Declaraciones tributarias de los periodos en discusión", confidential=True, due_days=10),
            _req("Soportes contables de los periodos en discusión", confidential=True, due_days=20),
            _req("Certificados de retención en la fuente", required=False, confidential=True),
        ],
        "Derecho inmobiliario": [
            identity, power,
            _req("Certificado de tradición y libertad", due_days=5, review_every_days=30),
            _req("Escritura pública del inmueble", due_days=10),
            _req("Paz y salvo del impuesto predial", due_days=15, review_every_days=365),
            _req("Contrato de arrendamiento o promesa de compraventa", due_days=10),
            _req("Reglamento de propiedad horizontal", required=False),
        ],
        "Protección de datos": [
            identity, power,
            _req("Política de tratamiento de datos personales vigente", due_days=10, review_every_days=365),
            _req("Autorizaciones de tratamiento de los titulares", confidential=True, due_days=15),
            _req("Registro de bases de datos ante la SIC (RNBD)", due_days=15, review_every_days=365),
            _req("Reporte del incidente de seguridad", required=False, confidential=True, due_days=3),
            _req("Contratos de transmisión o transferencia de datos", required=False),
        ],
    }
