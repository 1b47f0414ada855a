"""Document checklists per case: the tab and its partials, uploads checked by content, versions, review,
the header's progress swapped out-of-band, authorised and audited downloads, and the admin catalog of
requirements per practice area (SECURITY.md A3, L1, F1–F4)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from core import files
from models.audit import AuditEvent
from models.cases import Case
from models.documents import DocumentItem, DocumentVersion, RequirementTemplate
from models.files import StoredFile
from services import documents as service
from tests.factories import collect_spooled_bodies, make_area, make_case, make_user

PDF = b"%PDF-1.4\n% Contrato laboral CENTINELA-DOC\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HX = {"HX-Request": "true"}

pytestmark = pytest.mark.usefixtures("clock")  # dates matter here: the firm's today at an awkward hour


def _png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "PNG")
    return out.getvalue()


def _case(app, responsible, items=("Contrato laboral",), confidential=(), team=()):
    """A case of `responsible` with these checklist items (names in `confidential` are confidential)."""
    with app.test_request_context():
        case = make_case(responsible=responsible, team=team)
        DocumentItem.delete().where(DocumentItem.case == case).execute()  # only the items the test names
        made = [DocumentItem.create(case=case, name=name, confidential=name in confidential) for name in items]
    return case, made


def _upload(http, item, name="contrato.pdf", data=PDF, htmx=False, note=""):
    return http.post(f"/documentos/items/{item.id}/archivo", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(data), name), "note": note}, headers=HX if htmx else {})


def _files_on_disk(app) -> set[str]:
    folder = Path(app.config["INSTANCE_PATH"]) / "files"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _nothing_stored(app, before, item):
    assert _files_on_disk(app) == before
    assert StoredFile.select().count() == 0 and DocumentVersion.select().count() == 0
    assert DocumentItem.get_by_id(item.id).status == "pending"


# ----- the tab -----

def test_checklist_page_and_partial(app, http, login_as, firm_today):
    me = login_as("operations")
    case, (contract, optional) = _case(app, me, items=("Contrato laboral", "Certificado de aportes"))
    DocumentItem.update(required=False).where(DocumentItem.id == optional.id).execute()
    DocumentItem.update(due_on=firm_today - timedelta(days=2)).where(DocumentItem.id == contract.id).execute()
    page = http.get(f"/documentos/casos/{case.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and f'id="case-{case.id}-progress"' in html
    assert html.index("Contrato laboral") < html.index("Certificado de aportes")  # required first
    assert 'class="doc-item is-overdue"' in html  # due two days ago, nothing received
    partial = http.get(f"/documentos/casos/{case.id}", headers=HX)
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body and body.lstrip().startswith(("{#", "<section"))
    assert 'id="document-checklist"' in body and f'id="document-item-{contract.id}"' in body


def test_roles_without_permission_are_refused(app, http, login_as):
    with app.test_request_context():
        owner = make_user(roles=("operations",), email="ops@duarte.test")
    case, (item,) = _case(app, owner)
    login_as("admin")  # the catalog, but no cases
    assert http.get(f"/documentos/casos/{case.id}").status_code == 403
    other = app.test_client()
    login_as("quality", client=other)  # sees cases, does not handle documents
    assert other.get(f"/documentos/casos/{case.id}").status_code == 200
    assert _upload(other, item).status_code == 403
    assert other.post(f"/documentos/casos/{case.id}/items", data={"name": "Otro"}).status_code == 403
    assert other.get("/documentos/requisitos").status_code == 403
    assert StoredFile.select().count() == 0 and DocumentItem.select().count() == 1


def test_add_item_refuses_a_past_due_date_and_swaps_the_checklist_under_htmx(app, http, login_as, firm_today):
    me = login_as("operations")
    case, _items = _case(app, me, items=())
    yesterday = (firm_today - timedelta(days=1)).isoformat()
    refused = http.post(f"/documentos/casos/{case.id}/items", data={"name": "Acta de conciliación", "due_on": yesterday})
    assert refused.status_code == 422 and 'id="due_on-error"' in refused.get_data(as_text=True)
    assert DocumentItem.select().count() == 0
    response = http.post(f"/documentos/casos/{case.id}/items", headers=HX, data={
        "name": "Acta de conciliación", "required": "y", "confidential": "y",
        "due_on": (firm_today + timedelta(days=10)).isoformat()})
    body = response.get_data(as_text=True)
    item = DocumentItem.get()
    assert response.status_code == 200 and 'id="document-checklist"' in body
    assert re.search(rf'id="case-{case.id}-progress"[^>]*hx-swap-oob="true"[^>]*>[^<]*0/1', body)
    assert body.count("hx-swap-oob") == 1  # the header once, not once per item
    assert (item.name, item.required, item.confidential, item.created_by_id) == ("Acta de conciliación", True, True, me.id)
    assert AuditEvent.select().where(AuditEvent.action == "document_item_add").count() == 1
    plain = http.post(f"/documentos/casos/{case.id}/items", data={"name": "Otro documento"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/documentos/casos/{case.id}")


# ----- uploads (F1–F3) -----

def test_upload_under_htmx_answers_the_item_and_the_header_progress_out_of_band(app, http, login_as):
    me = login_as("operations")
    case, (first, *_rest) = _case(app, me, items=("Contrato laboral", "Carta de despido", "Liquidación"))
    response = _upload(http, first, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith(("{#", "<li"))
    assert f'id="document-item-{first.id}"' in body and 'data-status="received"' in body
    assert re.search(rf'<span id="case-{case.id}-progress"[^>]*hx-swap-oob="true"[^>]*>[^<]*1/3', body)
    assert "toast" in response.headers["HX-Trigger"]
    assert DocumentItem.get_by_id(first.id).status == "received"
    event = AuditEvent.get(AuditEvent.action == "document_upload")
    assert event.object_id == str(first.id) and "contrato.pdf" not in event.detail


def test_upload_without_javascript_redirects_back_to_the_tab(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    response = _upload(http, item)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/documentos/casos/{case.id}#document-item-{item.id}")
    page = http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)
    assert "contrato.pdf" in page and f"/documentos/versiones/{DocumentVersion.get().id}" in page


def test_f1_pdf_with_png_body_is_refused_and_nothing_is_stored(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    before = _files_on_disk(app)
    response = _upload(http, item, "contrato.pdf", _png())
    assert response.status_code == 422
    assert f'id="file-{item.id}-error"' in response.get_data(as_text=True)  # beside the field, item's form open
    _nothing_stored(app, before, item)
    partial = _upload(http, item, "contrato.pdf", _png(), htmx=True)
    assert partial.status_code == 422 and f'id="file-{item.id}-error"' in partial.get_data(as_text=True)
    _nothing_stored(app, before, item)


def test_f1_double_extension_empty_and_missing_files_are_refused(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    before = _files_on_disk(app)
    for name, data in (("x.pdf.php", PDF), ("x.php%00.pdf", b"<?php system($_GET['c']); ?>"), ("vacio.pdf", b""),
                       ("nota.html", b"<script>alert(1)</script>")):
        response = _upload(http, item, name, data)
        assert response.status_code == 422, name
        assert f'id="file-{item.id}-error"' in response.get_data(as_text=True), name
        _nothing_stored(app, before, item)
    missing = http.post(f"/documentos/items/{item.id}/archivo", content_type="multipart/form-data", data={"note": ""})
    assert missing.status_code == 422
    _nothing_stored(app, before, item)


def test_f2_size_limit_answers_413_with_the_reason_beside_the_field(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    before = _files_on_disk(app)

    def attempt(size_mb, htmx=False):
        """The answer's status and whether the reason is beside the field. The spooled body is collected before
        the next attempt: left to the collector, it was closed during a later request, or test, as an error."""
        response = _upload(http, item, "grande.pdf", PDF + b"0" * (size_mb * 1024 * 1024), htmx=htmx)
        outcome = response.status_code, f'id="file-{item.id}-error"' in response.get_data(as_text=True)
        del response
        collect_spooled_bodies()
        return outcome

    assert attempt(20) == (413, True)
    _nothing_stored(app, before, item)
    # Past MAX_CONTENT_LENGTH (25 MB) Werkzeug refuses the body before the view: the tab still explains it.
    assert attempt(26) == (413, True)
    assert attempt(26, htmx=True) == (422, True)  # htmx swaps 422 answers, so the reason shows beside the field
    _nothing_stored(app, before, item)


def test_f2_exif_and_gps_are_stripped_from_images(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me, items=("Foto del accidente",))
    photo = Image.new("RGB", (64, 48), "darkred")
    exif = photo.getexif()
    exif[0x010F] = "CamaraCENTINELA"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (4.0, 35.0, 56.0), 3: "W", 4: (74.0, 4.0, 51.0)})
    raw = io.BytesIO()
    photo.save(raw, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(raw.getvalue())).getexif().get_ifd(0x8825)  # the fixture carries GPS
    assert _upload(http, item, "foto.jpg", raw.getvalue()).status_code == 303
    downloaded = http.get(f"/documentos/versiones/{DocumentVersion.get().id}").data
    clean = Image.open(io.BytesIO(downloaded))
    assert clean.format == "JPEG" and not clean.getexif() and not clean.getexif().get_ifd(0x8825)
    assert b"CENTINELA" not in downloaded and b"Exif" not in downloaded
    assert clean.size == (48, 64)  # the orientation was applied to the pixels before dropping the tag
    assert StoredFile.get().size == len(downloaded)


def test_f2_decompression_bomb_is_refused(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me, items=("Plano del inmueble",))
    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, "PNG")  # 60 megapixels in a few kilobytes
    assert len(bomb.getvalue()) < 100_000
    before = _files_on_disk(app)
    response = _upload(http, item, "plano.png", bomb.getvalue())
    assert response.status_code == 422 and f'id="file-{item.id}-error"' in response.get_data(as_text=True)
    _nothing_stored(app, before, item)


def test_f3_a_name_with_path_parts_is_stored_under_a_random_name(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    _upload(http, item, "../../app.py.pdf", PDF)
    stored = StoredFile.get()
    assert stored.original_name == "app.py.pdf" and stored.purpose == "case_document"
    assert re.fullmatch(r"[0-9a-f]{32}", stored.storage_name)
    path = Path(app.config["INSTANCE_PATH"]) / "files" / stored.storage_name
    assert path.exists() and b"CENTINELA-DOC" not in path.read_bytes()  # encrypted at rest
    assert not (Path(app.root_path) / "app.py.pdf").exists()
    assert files.safe_name("..\\..\\windows\\poder.pdf") == "poder.pdf"  # Windows separators too


# ----- versions and review -----

def test_every_upload_is_a_new_version_and_all_stay_downloadable(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    second = PDF.replace(b"CENTINELA-DOC", b"VERSION-DOS")
    _upload(http, item, "contrato.pdf", PDF)
    _upload(http, item, "contrato-firmado.pdf", second, note="Con la firma del cliente")
    versions = list(DocumentVersion.select().order_by(DocumentVersion.number))
    assert [v.number for v in versions] == [1, 2] and versions[1].note == "Con la firma del cliente"
    assert http.get(f"/documentos/versiones/{versions[0].id}").data == PDF
    assert http.get(f"/documentos/versiones/{versions[1].id}").data == second
    html = http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)
    assert "contrato-firmado.pdf" in html and html.index("contrato-firmado.pdf") < html.index("contrato.pdf")


def test_review_reject_needs_a_reason_and_pending_goes_back(app, http, login_as, firm_today):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    url = f"/documentos/items/{item.id}/revision"
    early = http.post(url, data={"decision": "reviewed"})
    assert early.status_code == 422 and DocumentItem.get_by_id(item.id).status == "pending"  # nothing to review yet
    _upload(http, item)
    refused = http.post(url, data={"decision": "rejected", "reason": "  "}, headers=HX)
    assert refused.status_code == 422 and f'id="reason-{item.id}-error"' in refused.get_data(as_text=True)
    assert DocumentItem.get_by_id(item.id).status == "received"
    rejected = http.post(url, data={"decision": "rejected", "reason": "Falta la firma del empleador."}, headers=HX)
    row = DocumentItem.get_by_id(item.id)
    assert rejected.status_code == 200 and (row.status, row.note, row.reviewed_by_id) == ("rejected", "Falta la firma del empleador.", me.id)
    assert re.search(rf'id="case-{case.id}-progress"[^>]*hx-swap-oob="true"[^>]*>[^<]*0/1', rejected.get_data(as_text=True))
    _upload(http, item)  # a corrected copy: received again, the rejection note cleared
    assert (DocumentItem.get_by_id(item.id).status, DocumentItem.get_by_id(item.id).note) == ("received", "")
    next_review = firm_today + timedelta(days=90)
    assert http.post(url, data={"decision": "reviewed", "review_on": next_review.isoformat()}).status_code == 303
    assert (DocumentItem.get_by_id(item.id).status, DocumentItem.get_by_id(item.id).review_on) == ("reviewed", next_review)
    assert http.post(url, data={"decision": "pending"}).status_code == 303
    assert DocumentItem.get_by_id(item.id).status == "pending"
    assert http.post(url, data={"decision": "approved"}).status_code == 422
    assert AuditEvent.select().where(AuditEvent.action == "document_review").count() == 3


def test_reviewed_items_take_the_review_period_of_their_requirement_and_expire(app, http, login_as, firm_today):
    me = login_as("operations")
    with app.test_request_context():
        area = make_area("Derecho inmobiliario")
        RequirementTemplate.create(practice_area=area, name="Certificado de tradición y libertad", review_every_days=30)
        case = make_case(responsible=me, practice_area=area.id)
    item = DocumentItem.get(DocumentItem.case == case)
    _upload(http, item, "certificado.pdf")
    http.post(f"/documentos/items/{item.id}/revision", data={"decision": "reviewed"})
    assert DocumentItem.get_by_id(item.id).review_on == firm_today + timedelta(days=30)
    DocumentItem.update(review_on=firm_today - timedelta(days=1)).where(DocumentItem.id == item.id).execute()
    html = http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)
    assert 'data-status="expired"' in html
    assert http.post(f"/documentos/items/{item.id}/revision", data={"decision": "reviewed"}).status_code == 303
    assert DocumentItem.get_by_id(item.id).review_on == firm_today + timedelta(days=30)  # reviewed again: current
    assert 'data-status="reviewed"' in http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)


def test_a_closed_case_takes_no_more_files(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    Case.update(status="closed").where(Case.id == case.id).execute()
    assert _upload(http, item).status_code == 422
    assert StoredFile.select().count() == 0
    assert "archivo" not in http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)  # no upload forms


# ----- downloads (A3, L1, F4) -----

def test_f4_download_headers(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    _upload(http, item, "contrato señalado.pdf")
    response = http.get(f"/documentos/versiones/{DocumentVersion.get().id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''contrato%20se%C3%B1alado.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Cache-Control"] == "no-store"
    assert http.get("/documentos/versiones/999999").status_code == 404


def test_non_confidential_download_is_recorded_as_a_file_download(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me)
    _upload(http, item)
    reader = app.test_client()
    login_as("service", client=reader)  # off the team: non-confidential files are open to case staff
    assert reader.get(f"/documentos/versiones/{DocumentVersion.get().id}").status_code == 200
    event = AuditEvent.get(AuditEvent.action == "file_download")
    assert (event.object_type, event.object_id, event.fields) == ("document_item", str(item.id), "file")
    assert AuditEvent.select().where(AuditEvent.action == "sensitive_read").count() == 0


def test_l1_team_download_of_a_confidential_file_leaves_exactly_one_sensitive_read(app, http, login_as):
    me = login_as("operations")
    case, (item,) = _case(app, me, items=("Cédula",), confidential=("Cédula",))
    _upload(http, item, "cedula.pdf")
    before = AuditEvent.select().count()
    response = http.get(f"/documentos/versiones/{DocumentVersion.get().id}")
    assert response.status_code == 200 and response.data == PDF
    events = list(AuditEvent.select().where(AuditEvent.id > before))  # noqa: SIM118
    assert len(events) == 1 and AuditEvent.select().count() == before + 1
    (event,) = events
    assert (event.action, event.actor_id, event.object_type, event.object_id) == ("sensitive_read", me.id, "document_item", str(item.id))
    assert f"case={case.id}" in event.detail and "cedula" not in event.detail


def test_a3_off_team_staff_get_404_on_confidential_files_and_see_no_link(app, http, login_as):
    me = login_as("operations")
    case, (public, secret) = _case(app, me, items=("Contrato laboral", "Cédula"), confidential=("Cédula",))
    _upload(http, secret, "cedula-de-maria.pdf")
    version = DocumentVersion.get()
    outsider = app.test_client()
    stranger = login_as("operations", client=outsider)
    assert not Case.get_by_id(case.id).on_team(stranger)
    before = AuditEvent.select().where(AuditEvent.action == "authz_fail").count()
    response = outsider.get(f"/documentos/versiones/{version.id}")
    assert response.status_code == 404 and b"CENTINELA" not in response.data
    assert AuditEvent.select().where(AuditEvent.action == "authz_fail").count() == before + 1
    assert AuditEvent.select().where(AuditEvent.action == "sensitive_read").count() == 0
    html = outsider.get(f"/documentos/casos/{case.id}").get_data(as_text=True)
    assert "Cédula" in html and 'data-status="received"' in html  # the item and its status are not secret
    assert "cedula-de-maria.pdf" not in html and f"/documentos/versiones/{version.id}" not in html
    assert _upload(outsider, secret, "otra.pdf").status_code == 404  # nor can they add a version
    assert outsider.post(f"/documentos/items/{secret.id}/revision", data={"decision": "pending"}).status_code == 404
    assert DocumentVersion.select().count() == 1
    manager = app.test_client()
    login_as("management", client=manager)  # management sees every case
    assert manager.get(f"/documentos/versiones/{version.id}").status_code == 200


# ----- constant queries -----

def test_checklist_queries_do_not_grow_with_items_and_versions(app, http, login_as):
    from playhouse.test_utils import count_queries

    me = login_as("operations")
    few_case, few_items = _case(app, me, items=[f"Documento {n}" for n in range(2)])
    many_case, many_items = _case(app, me, items=[f"Documento {n}" for n in range(12)])
    for item in few_items + many_items:
        _upload(http, item)
        _upload(http, item)
    with count_queries() as few:
        assert http.get(f"/documentos/casos/{few_case.id}").status_code == 200
    with count_queries() as many:
        assert http.get(f"/documentos/casos/{many_case.id}").status_code == 200
    assert few.count == many.count


# ----- requirement templates (admin catalog) -----

def test_templates_are_applied_when_a_case_opens(app, login_as, firm_today):
    me = login_as("operations")
    with app.test_request_context():
        area = make_area("Derecho de familia")
        RequirementTemplate.create(practice_area=area, name="Registro civil de matrimonio", due_days=10, position=1)
        RequirementTemplate.create(practice_area=area, name="Relación de bienes", confidential=True, required=False, position=2)
        RequirementTemplate.create(practice_area=area, name="Retirado", is_active=False, position=3)
        case = make_case(responsible=me, practice_area=area.id)
    items = {i.name: i for i in DocumentItem.select().where(DocumentItem.case == case)}
    assert set(items) == {"Registro civil de matrimonio", "Relación de bienes"}
    assert items["Registro civil de matrimonio"].due_on == firm_today + timedelta(days=10)
    assert items["Relación de bienes"].confidential and not items["Relación de bienes"].required
    assert DocumentItem.progress(case) == (0, 2)


def test_catalog_page_partial_and_writes(app, http, login_as):
    login_as("admin")
    with app.test_request_context():
        labour = make_area("Derecho laboral")
        family = make_area("Derecho de familia")
    page = http.get(f"/documentos/requisitos?area={family.id}")
    assert page.status_code == 200 and "Derecho de familia" in page.get_data(as_text=True)
    partial = http.get(f"/documentos/requisitos?area={labour.id}", headers=HX).get_data(as_text=True)
    assert 'id="requirement-templates"' in partial and "<html" not in partial
    assert http.get("/documentos/requisitos?area=999999").status_code == 404

    assert http.post(f"/documentos/areas/{labour.id}/requisitos", data={"name": " ", "due_days": "0"}).status_code == 422
    assert RequirementTemplate.select().count() == 0
    for name in ("Contrato laboral", "Carta de despido", "Liquidación"):
        response = http.post(f"/documentos/areas/{labour.id}/requisitos", data={"name": name, "required": "y", "due_days": "10"})
        assert response.status_code == 303
    first, second, third = RequirementTemplate.of_area(labour.id)
    assert [t.position for t in (first, second, third)] == [1, 2, 3] and first.due_days == 10

    edit = http.get(f"/documentos/requisitos?editar={second.id}").get_data(as_text=True)
    assert f'value="{second.name}"' in edit
    http.post(f"/documentos/requisitos/{second.id}", data={"name": "Carta de terminación", "confidential": "y",
                                                         "review_every_days": "365"})
    second = RequirementTemplate.get_by_id(second.id)
    assert (second.name, second.required, second.confidential, second.due_days, second.review_every_days) == (
        "Carta de terminación", False, True, None, 365)

    moved = http.post(f"/documentos/requisitos/{third.id}/orden", data={"direction": "up"}, headers=HX)
    assert moved.status_code == 200 and 'id="requirement-templates"' in moved.get_data(as_text=True)
    assert [t.name for t in RequirementTemplate.of_area(labour.id)] == ["Contrato laboral", "Liquidación", "Carta de terminación"]
    http.post(f"/documentos/requisitos/{first.id}/orden", data={"direction": "up"})  # already first: nothing moves
    assert RequirementTemplate.of_area(labour.id).first().id == first.id

    assert http.post(f"/documentos/requisitos/{first.id}/estado").status_code == 303
    assert [t.name for t in RequirementTemplate.of_area(labour.id)] == ["Liquidación", "Carta de terminación"]
    assert RequirementTemplate.of_area(labour.id, only_active=False).count() == 3
    assert AuditEvent.select().where(AuditEvent.object_type == "requirement_template").count() == 3 + 1 + 1 + 1  # created, edited, moved once, retired


def test_suggested_requirements_for_an_empty_area(app, http, login_as):
    login_as("admin")
    with app.test_request_context():
        area = make_area("Derecho laboral")
    page = http.get(f"/documentos/requisitos?area={area.id}").get_data(as_text=True)
    assert f"/documentos/areas/{area.id}/requisitos/sugeridos" in page
    response = http.post(f"/documentos/areas/{area.id}/requisitos/sugeridos", headers=HX)
    assert response.status_code == 200
    names = [t.name for t in RequirementTemplate.of_area(area.id)]
    assert names == [r["name"] for r in service.default_requirements()["Derecho laboral"]]
    assert "Copia del documento de identidad" in names and "Carta de despido o de terminación" in names
    http.post(f"/documentos/areas/{area.id}/requisitos/sugeridos")  # a second time adds nothing
    assert RequirementTemplate.select().count() == len(names)


def test_default_requirements_cover_the_demo_areas():
    from services.demo import PRACTICE_AREAS

    defaults = service.default_requirements()
    for name, _description in PRACTICE_AREAS:
        requirements = defaults[name]
        assert len(requirements) >= 5 and any(r["confidential"] for r in requirements)
        assert all(r["name"] and isinstance(r["required"], bool) for r in requirements)


def test_each_items_controls_have_ids_of_their_own_and_their_labels_point_at_them(app, http, login_as):
    """One blank upload and review form serves every item: the fields still get each item's ids, and no id is
    written twice on the page."""
    me = login_as("operations")
    case, items = _case(app, me, items=("Contrato laboral", "Certificado de aportes", "Carta de despido"))
    DocumentItem.update(status="received").where(DocumentItem.case == case).execute()  # the review form shows too
    html = http.get(f"/documentos/casos/{case.id}").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    for item in items:
        for name in ("file", "note", "reason", "review_on"):
            assert f'id="{name}-{item.id}"' in html and f'for="{name}-{item.id}"' in html, (name, item.name)
    assert html.count('name="csrf_token"') >= 2 * len(items)
