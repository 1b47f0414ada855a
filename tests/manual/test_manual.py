"""The procedures manual (issue 17): controlled documents with the sections of PRO 008 in sanitized Markdown, the
version lifecycle draft → in review → approved (management only) → published → superseded or withdrawn, each
write audited; a published version never changes (the service answers 409, the database's trigger refuses it on
SQLite and PostgreSQL); the comparison of two versions; attachments; who reads and who writes; query counts."""

import io
import re

import pytest
from peewee import DatabaseError
from playhouse.test_utils import count_queries

from core.db import db
from models.audit import AuditEvent
from models.manual import ManualAttachment, ManualDocument, ManualVersion
from services import manual as service
from services.manual import diff
from services.manual.markdown import render

pytestmark = pytest.mark.usefixtures("clock")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INDEX_QUERIES = 3  # the session with its user, its roles; the documents with their version in force and owner (one query)
DOCUMENT_QUERIES = 6  # the session, its roles; the document, its versions (with author and approver), attachments;
# whether the reader was asked to acknowledge the version in force


def _text(**overrides):
    data = {"objective": "Atender bien al cliente.", "scope": "Toda la firma.",
            "responsibilities": "- **Gerencia General:** revisar.", "definitions": "- Cliente: quien contrata.",
            "procedure": "1. Registrar.\n2. Contactar en 5 días.", "records": "- Registro.", "indicators": "- Tasa.",
            "related": "- Encuesta.", "change_summary": "Original", "justification": "Primera edición."}
    data.update(overrides)
    return data


def _document_form(owner, **overrides):
    data = {"code": "pro 010", "title": "Atención de consultas", "kind": "procedure", "owner": str(owner.id),
            "created_label": "EGC", "approved_label": "CEO", **_text()}
    data.update(overrides)
    return data


def _published(app, quality, manager, code="PRO 020"):
    with app.test_request_context():
        document = service.create_document({**_text(), "code": code, "title": "Un procedimiento", "kind": "procedure",
                                            "owner": quality.id, "approved_label": "CEO"}, quality)
        version = document.versions.get()
        service.submit(version, quality)
        service.approve(version, manager)
        service.publish(version, manager)
        return ManualDocument.get_by_id(document.id), ManualVersion.get_by_id(version.id)


def test_quality_drafts_management_approves_quality_publishes(app, http, login_as, make_user, firm_today, browser):
    quality = login_as("quality")
    page = http.get("/manual/nuevo")
    assert page.status_code == 200 and "Objetivo" in page.get_data(as_text=True)
    response = http.post("/manual/nuevo", data=_document_form(quality))
    assert response.status_code == 303
    document = ManualDocument.get()
    version = document.versions.get()
    assert (document.code, document.latest_state, document.current_id) == ("PRO 010", "draft", None)
    assert (version.number, version.label, version.state, version.author_id) == (0, "000", "draft", quality.id)
    edit = f"/manual/{document.id}/versiones/{version.id}/editar"
    assert http.post(edit, data=_text(procedure="1. Registrar.\n2. Llamar en 3 días.")).status_code == 303
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/enviar").status_code == 303
    assert ManualVersion.get_by_id(version.id).state == "in_review"
    # Quality may not approve: the route is management's (403), and so is the service step.
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/aprobar").status_code == 403
    with app.test_request_context(), pytest.raises(service.ManualConflict):
        service.approve(ManualVersion.get_by_id(version.id), quality)
    manager = make_user(roles=("management",))
    boss = browser(user=manager)
    assert boss.post(f"/manual/{document.id}/versiones/{version.id}/aprobar").status_code == 303
    version = ManualVersion.get_by_id(version.id)
    assert (version.state, version.approver_id, version.approver_title) == ("approved", manager.id, "CEO")
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/publicar").status_code == 303
    version, document = ManualVersion.get_by_id(version.id), ManualDocument.get_by_id(document.id)
    assert (version.state, version.published_on, document.current_id) == ("published", firm_today, version.id)
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    assert "Llamar en 3 días" in page and 'data-testid="version-history"' in page
    assert firm_today.strftime("%d.%m.%Y") in page
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith("manual_"))
               .order_by(AuditEvent.id)]
    assert actions == ["manual_document_create", "manual_version_create", "manual_version_update",
                       "manual_version_submit", "manual_version_approve", "manual_version_publish"]


def test_a_new_version_supersedes_the_published_one_and_management_can_send_it_back(app, http, login_as, make_user,
                                                                                    browser):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, first = _published(app, quality, manager)
    login_as(user=quality)
    response = http.post(f"/manual/{document.id}/versiones/nueva")
    assert response.status_code == 303
    second = ManualVersion.get(ManualVersion.number == 1)
    assert second.procedure == first.procedure and second.state == "draft"
    # One open version at a time.
    assert http.post(f"/manual/{document.id}/versiones/nueva").status_code == 303
    assert ManualVersion.select().count() == 2
    # Errors beside the fields, in Spanish, nothing written.
    bad = http.post(f"/manual/{document.id}/versiones/{second.id}/editar", data=_text(change_summary="", justification=""))
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Di en una línea qué cambia esta versión." in body or 'id="change_summary-error"' in body
    assert 'id="justification-error"' in body
    assert ManualVersion.get_by_id(second.id).change_summary == ""
    assert http.post(f"/manual/{document.id}/versiones/{second.id}/editar", data=_text(
        change_summary="Plazo de la encuesta", justification="La gerencia pidió acortarlo.",
        procedure="1. Registrar.\n2. Contactar en 3 días.")).status_code == 303
    assert http.post(f"/manual/{document.id}/versiones/{second.id}/enviar").status_code == 303
    boss = browser(user=manager)
    assert boss.post(f"/manual/{document.id}/versiones/{second.id}/devolver", data={"review_note": ""}).status_code == 422
    assert boss.post(f"/manual/{document.id}/versiones/{second.id}/devolver",
                     data={"review_note": "Citar el artículo."}).status_code == 303
    assert ManualVersion.get_by_id(second.id).state == "draft"
    with app.test_request_context():
        service.submit(ManualVersion.get_by_id(second.id), quality)
        service.approve(ManualVersion.get_by_id(second.id), manager)
        service.publish(ManualVersion.get_by_id(second.id), manager)
    first, second = ManualVersion.get_by_id(first.id), ManualVersion.get_by_id(second.id)
    assert (first.state, second.state) == ("superseded", "published")
    assert ManualDocument.get_by_id(document.id).current_id == second.id
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    assert page.count("<tr><td><a href") >= 2 and "Plazo de la encuesta" in page  # §9 has both lines
    # Withdrawn by management, with its reason: no version in force, readers no longer find it.
    assert boss.post(f"/manual/{document.id}/versiones/{second.id}/retirar", data={"end_reason": ""}).status_code == 422
    assert boss.post(f"/manual/{document.id}/versiones/{second.id}/retirar",
                     data={"end_reason": "Sustituido por PRO 030."}).status_code == 303
    assert ManualDocument.get_by_id(document.id).current_id is None
    assert browser("commercial").get(f"/manual/{document.id}").status_code == 404


def test_a_published_version_never_changes(app, http, login_as, make_user):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, version = _published(app, quality, manager)
    before = (version.objective, version.procedure, version.updated_at)
    login_as(user=quality)
    edit = f"/manual/{document.id}/versiones/{version.id}/editar"
    assert http.get(edit).status_code == 409
    response = http.post(edit, data=_text(objective="Otro"))
    assert response.status_code == 409 and "ya no puede cambiar" in response.get_data(as_text=True)
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/enviar").status_code == 409
    upload = {"title": "Formato", "file": (io.BytesIO(PDF), "formato.pdf")}
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/adjuntos", data=upload,
                     content_type="multipart/form-data").status_code == 409
    with app.test_request_context(), pytest.raises(service.ManualConflict):
        service.save_draft(version, _text(objective="Otro"), quality)
    # Below the application: the database refuses it (SQLite and PostgreSQL).
    for change in ({"objective": "a mano"}, {"change_summary": "x"}, {"approver": quality.id},
                   {"published_on": None}, {"state": "draft"}):
        with pytest.raises(DatabaseError), db.atomic():
            ManualVersion.update(**change).where(ManualVersion.id == version.id).execute()
    with pytest.raises(DatabaseError), db.atomic():
        ManualVersion.delete().where(ManualVersion.id == version.id).execute()
    version = ManualVersion.get_by_id(version.id)
    assert (version.objective, version.procedure, version.updated_at) == before and version.state == "published"
    # It may still move on: superseded or withdrawn (and then nothing more).
    with db.atomic():
        ManualVersion.update(state="withdrawn", end_reason="r").where(ManualVersion.id == version.id).execute()
    with pytest.raises(DatabaseError), db.atomic():
        ManualVersion.update(state="published").where(ManualVersion.id == version.id).execute()


def test_the_attachments_of_a_published_version_are_frozen_by_the_database(app, http, login_as, make_user):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    with app.test_request_context():
        document = service.create_document({**_text(), "code": "FOR 001", "title": "Formato", "kind": "form"}, quality)
    version = document.versions.get()
    login_as(user=quality)
    url = f"/manual/{document.id}/versiones/{version.id}/adjuntos"
    bad = http.post(url, data={"title": "x", "file": (io.BytesIO(b"MZ..."), "virus.exe")},
                    content_type="multipart/form-data")
    assert bad.status_code == 422 and ManualAttachment.select().count() == 0
    ok = http.post(url, data={"title": "Formulario de cotización", "file": (io.BytesIO(PDF), "cotizacion.pdf")},
                   content_type="multipart/form-data")
    assert ok.status_code == 303
    attachment = ManualAttachment.get()
    download = http.get(f"/manual/{document.id}/versiones/{version.id}/adjuntos/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    with app.test_request_context():
        service.submit(ManualVersion.get_by_id(version.id), quality)
        service.approve(ManualVersion.get_by_id(version.id), manager)
    with pytest.raises(DatabaseError), db.atomic():
        ManualAttachment.delete().where(ManualAttachment.id == attachment.id).execute()
    with pytest.raises(DatabaseError), db.atomic():
        ManualAttachment.create(version=version.id, file=attachment.file_id, title="otro")
    assert ManualAttachment.select().count() == 1
    # An approved version's text is frozen too, and it cannot go back to draft: it is published or withdrawn.
    for change in ({"procedure": "otra cosa"}, {"state": "draft"}, {"state": "in_review"}):
        with pytest.raises(DatabaseError), db.atomic():
            ManualVersion.update(**change).where(ManualVersion.id == version.id).execute()
    assert ManualVersion.get_by_id(version.id).state == "approved"


def test_markdown_is_sanitized():
    html = str(render("Hola <script>alert(1)</script> **ok**\n\n<img src=x onerror=alert(1)>\n\n"
                      "[enlace](javascript:alert(1)) [bien](https://example.org)"))
    assert "<script" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<img" not in html and 'href="javascript' not in html
    assert "<strong>ok</strong>" in html and 'href="https://example.org"' in html and "noopener" in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    # Even raw HTML that reached the sanitizer loses its handlers and scripts.
    import nh3

    from services.manual.markdown import ATTRIBUTES, TAGS
    dirty = '<p onclick="x()">a</p><img src=x onerror="alert(1)"><script>alert(1)</script>'
    assert nh3.clean(dirty, tags=TAGS, attributes=ATTRIBUTES) == "<p>a</p>"


def test_a_section_with_a_script_is_shown_as_text_on_the_page(app, http, login_as, make_user):
    quality = login_as("quality")
    with app.test_request_context():
        document = service.create_document({**_text(objective='<script>alert("x")</script><img src=x onerror=alert(2)>'),
                                            "code": "POL 001", "title": "Política", "kind": "policy"}, quality)
    page = http.get(f"/manual/{document.id}").get_data(as_text=True)
    assert '<script>alert("x")' not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_the_comparison_of_two_versions(app, http, login_as, make_user, browser):
    old = ManualVersion(**{**{k: "" for k in ("objective", "scope", "responsibilities", "definitions", "records",
                                               "indicators", "related")},
                           "procedure": "\n".join(f"línea {i}" for i in range(20))})
    new = ManualVersion(**{**old.sections(), "scope": "Nuevo alcance",
                           "procedure": old.procedure.replace("línea 10", "línea diez")})
    sections = {s.name: s for s in diff.compare(old, new)}
    assert not sections["objective"].changed and sections["scope"].rows == [("added", "Nuevo alcance")]
    rows = sections["procedure"].rows
    assert ("removed", "línea 10") in rows and ("added", "línea diez") in rows
    assert rows[0][0] == "skip" and rows[-1][0] == "skip"  # unchanged runs fold, two lines of context kept
    assert [r for r in rows if r[0] == "same"] == [("same", f"línea {i}") for i in (8, 9, 11, 12)]
    # Over HTTP: text markers and hidden labels beside the colours.
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, first = _published(app, quality, manager)
    with app.test_request_context():
        second = service.new_version(ManualDocument.get_by_id(document.id), quality)
        service.save_draft(second, _text(procedure="1. Registrar.\n2. Contactar en 3 días.", change_summary="Plazo",
                                         justification="Acortar."), quality)
    login_as(user=quality)
    page = http.get(f"/manual/{document.id}/comparar?de={first.id}&a={second.id}").get_data(as_text=True)
    assert 'class="diff-removed"' in page and "<del>2. Contactar en 5 días.</del>" in page
    assert "<ins>2. Contactar en 3 días.</ins>" in page and "Añadido:" in page and "Eliminado:" in page
    # A reader compares only what was published: the draft is not offered, nor its text shown.
    page = browser("commercial").get(f"/manual/{document.id}/comparar?de={first.id}&a={second.id}").get_data(as_text=True)
    assert "3 días" not in page


def test_readers_see_only_what_was_published(app, http, login_as, make_user, browser):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, first = _published(app, quality, manager)
    with app.test_request_context():
        draft_doc = service.create_document({**_text(), "code": "PRO 099", "title": "Borrador secreto",
                                             "kind": "procedure"}, quality)
        second = service.new_version(ManualDocument.get_by_id(document.id), quality)
    login_as("operations")
    page = http.get("/manual").get_data(as_text=True)
    assert "PRO 020" in page and "PRO 099" not in page and "Nuevo documento" not in page
    assert http.get(f"/manual/{draft_doc.id}").status_code == 404
    assert http.get(f"/manual/{document.id}/versiones/{second.id}").status_code == 404
    assert http.get(f"/manual/{document.id}/versiones/{first.id}").status_code == 200
    assert http.post(f"/manual/{document.id}/versiones/nueva").status_code == 403
    http = browser(user=quality)
    page = http.get("/manual?estado=draft").get_data(as_text=True)
    assert "PRO 099" in page and "PRO 020" in page  # PRO 020's latest version is the new draft
    assert "PRO 099" in http.get("/manual?q=borrador").get_data(as_text=True)
    assert "PRO 099" not in http.get("/manual?q=020").get_data(as_text=True)
    assert "PRO 099" not in http.get("/manual?tipo=policy").get_data(as_text=True)
    partial = http.get("/manual?q=pro", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and 'id="manual-list"' in partial


def test_query_counts_are_constant(app, http, login_as, make_user):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    login_as("commercial")
    document, _v = _published(app, quality, manager, code="PRO 001")

    def queries(url):
        http.get(url)
        with count_queries() as counter:
            assert http.get(url).status_code == 200
        return counter.count

    few_index, few_page = queries("/manual"), queries(f"/manual/{document.id}")
    for n in range(2, 6):
        _published(app, quality, manager, code=f"PRO {n:03d}")
    with app.test_request_context():
        for _ in range(3):
            version = service.new_version(ManualDocument.get_by_id(document.id), quality)
            service.save_draft(version, _text(change_summary="Cambio", justification="Porque sí."), quality)
            service.submit(version, quality)
            service.approve(version, manager)
            service.publish(version, manager)
    assert queries("/manual") == few_index == INDEX_QUERIES
    assert queries(f"/manual/{document.id}") == few_page == DOCUMENT_QUERIES


def test_the_document_owner_is_offered_or_found_by_name(app, http, login_as, make_user):
    """A document's owner listed every active member of staff (2,000 at full size): the picker offers nobody, the one
    writing and the owner so far; anyone else is found by name among all the staff and accepted, while an unknown
    or inactive id is refused beside the field."""
    quality = login_as("quality")
    current = make_user(roles=("management",), name="Gloria Duarte")
    found = make_user(roles=("commercial",), name="Íñigo Comercial Vélez")
    gone = make_user(roles=("operations",), name="Inés Inactiva", active=False)

    def offered(url):
        page = http.get(url).get_data(as_text=True)
        assert "Íñigo Comercial Vélez" not in page and "quienes=personal" in page
        select = re.search(r'<select[^>]*id="owner".*?</select>', page, re.S).group(0)
        return {int(v) for v in re.findall(r'value="(\d+)"', select)} - {0}

    assert offered("/manual/nuevo") == {quality.id}
    assert f'value="{found.id}" selected' in http.get(
        "/casos/personal?persona=inigo&campo=owner&quienes=personal").get_data(as_text=True)
    for refused in (gone.id, 99999999):
        response = http.post("/manual/nuevo", data={**_document_form(quality), "owner": str(refused)})
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="owner-error"' in body and "Opción inválida" in body
    assert not ManualDocument.select().exists()
    assert http.post("/manual/nuevo", data=_document_form(current)).status_code == 303
    document = ManualDocument.get()
    edit = f"/manual/{document.id}/editar"
    assert offered(edit) == {quality.id, current.id}
    fields = {"code": document.code, "title": document.title, "kind": document.kind, "created_label": "EGC",
              "approved_label": "CEO"}
    response = http.post(edit, data={**fields, "owner": str(gone.id)})
    assert response.status_code == 422 and 'id="owner-error"' in response.get_data(as_text=True)
    assert http.post(edit, data={**fields, "owner": str(found.id)}).status_code == 303
    assert ManualDocument.get_by_id(document.id).owner_id == found.id

    def queries():
        with count_queries() as counter:
            http.get("/manual/nuevo")
            http.get(edit)
        return counter.count

    few = queries()
    for n in range(4):
        make_user(roles=("commercial",), name=f"Más Personal {n}")
    assert queries() == few


def test_the_top_bar_links_the_manual_for_every_role(app, http, login_as):
    login_as("operations")
    page = http.get("/manual").get_data(as_text=True)
    assert re.search(r'<a href="/manual" aria-current="page">Manual de procedimientos</a>', page)
    assert 'href="/manual"' in http.get("/perfil").get_data(as_text=True)


def test_the_screens_of_pro_008_steps_link_to_it(app, http, login_as, make_user):
    quality, manager = make_user(roles=("quality",)), make_user(roles=("management",))
    document, _v = _published(app, quality, manager, code="PRO 008")
    login_as("service")
    complaints = http.get("/quejas").get_data(as_text=True)
    link = "/manual/codigo/PRO%20008?seccion=procedure"
    assert link in complaints and "PRO 008 §5.4.2" in complaints
    assert link in http.get("/encuestas").get_data(as_text=True)
    response = http.get(link)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/manual/{document.id}#s-procedure")
    assert http.get("/manual/codigo/pro%20008").headers["Location"].endswith(f"/manual/{document.id}")
    missing = http.get("/manual/codigo/PRO%20404")  # a firm whose manual lacks it: the index, searching for it
    assert missing.status_code == 303 and missing.headers["Location"].endswith("/manual?q=PRO+404")
