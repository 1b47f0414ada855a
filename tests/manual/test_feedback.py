"""Feedback on the manual from the staff (issue 17 item 6, "Recoger feedback del personal sobre las políticas
actuales"): anyone who reads PRO 008 sends what they noticed, what they suggest and the section; the owner, quality
and management see it open on the document and on the draft of the next version, and mark it considered in that
version or set it aside with the reason; other staff do not see it; bad input answered in Spanish beside the field;
query counts constant."""

import re

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.manual import ManualDocument, ManualVersion
from models.training import ManualFeedback
from services.manual import pro008

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def setting(app, make_user):
    quality = make_user(roles=("quality",), name="Elena Gutiérrez", email="calidad@firma.test")
    boss = make_user(roles=("management",), name="Carlos Duarte", email="gerencia@firma.test")
    seller = make_user(roles=("commercial",), name="Laura Gómez", email="laura@firma.test")
    other = make_user(roles=("operations",), name="Mateo Ríos", email="mateo@firma.test")
    with app.test_request_context():
        document = ManualDocument.get_by_id(pro008.load(quality, boss).id)
    return quality, boss, seller, other, document


def _error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def _send(client, document, **data):
    return client.post(f"/manual/{document.id}/comentarios/nuevo",
                       data={"section": "procedure", "what": "", "suggestion": "", **data})


def test_feedback_is_gathered_for_the_next_version(http, login_as, browser, setting):
    quality, boss, seller, other, document = setting
    laura = browser(user=seller)
    page = laura.get(f"/manual/{document.id}").get_data(as_text=True)
    assert 'data-testid="feedback-link"' in page and 'id="manual-feedback"' not in page  # sends, does not read
    assert laura.get(f"/manual/{document.id}/comentarios/nuevo").status_code == 200
    empty = _send(laura, document)
    assert empty.status_code == 422 and _error(empty.get_data(as_text=True), "what") == "Indica qué observaste."
    bad = _send(laura, document, what="x", section="nada")
    assert bad.status_code == 422 and _error(bad.get_data(as_text=True), "section")
    sent = _send(laura, document, what="La encuesta a los 5 días llega cuando el cliente ya olvidó el servicio.",
                 suggestion="Llamar a los 3 días.")
    assert sent.status_code == 303
    item = ManualFeedback.get()
    assert (item.author_id, item.version_id, item.section, item.status) == (seller.id, document.current_id,
                                                                            "procedure", "open")
    assert AuditEvent.select().where(AuditEvent.action == "manual_feedback").count() == 1
    # Other staff do not read it; the owner (quality) and management do.
    assert browser(user=other).get(f"/manual/{document.id}/comentarios").status_code == 404
    login_as(user=quality)
    listing = http.get(f"/manual/{document.id}/comentarios").get_data(as_text=True)
    assert "ya olvidó el servicio" in listing and "Llamar a los 3 días" in listing and "Laura Gómez" in listing
    assert "1 comentario abierto" in listing
    # Considered needs a version being drafted.
    early = http.post(f"/manual/{document.id}/comentarios/{item.id}/resolver", data={"decision": "considered"})
    assert early.status_code == 422
    assert _error(early.get_data(as_text=True), f"decision-{item.id}").startswith("Primero redacta la próxima versión")
    assert http.post(f"/manual/{document.id}/versiones/nueva").status_code == 303
    draft = ManualVersion.get(ManualVersion.document == document.id, ManualVersion.state == "draft")
    # The draft's page gathers it (loaded after the page).
    draft_page = http.get(f"/manual/{document.id}/versiones/{draft.id}").get_data(as_text=True)
    assert f'hx-get="/manual/{document.id}/comentarios"' in draft_page and "recogidos para esta versión" in draft_page
    partial = http.get(f"/manual/{document.id}/comentarios", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and "en redacción: versión 001" in partial
    done = http.post(f"/manual/{document.id}/comentarios/{item.id}/resolver",
                     data={"decision": "considered", "note": "Se cambia el plazo en §5."})
    assert done.status_code == 303
    item = ManualFeedback.get_by_id(item.id)
    assert (item.status, item.considered_in_id, item.considered_by_id) == ("considered", draft.id, quality.id)
    listing = http.get(f"/manual/{document.id}/comentarios").get_data(as_text=True)
    assert "en la versión 001" in listing and "0 comentarios abiertos" in listing
    assert 'badge-ok">Considerado</span>' in listing
    # Settled once.
    again = http.post(f"/manual/{document.id}/comentarios/{item.id}/resolver", data={"decision": "set_aside",
                                                                                    "note": "x"})
    assert again.status_code == 422


def test_set_aside_needs_a_reason(http, login_as, browser, setting):
    quality, boss, seller, other, document = setting
    assert _send(browser(user=other), document, what="No entiendo el paso 5.4.2.").status_code == 303
    item = ManualFeedback.get()
    login_as(user=boss)
    response = http.post(f"/manual/{document.id}/comentarios/{item.id}/resolver", data={"decision": "set_aside"})
    assert response.status_code == 422 and _error(response.get_data(as_text=True), f"note-{item.id}") == (
        "Indica por qué se descarta.")
    assert http.post(f"/manual/{document.id}/comentarios/{item.id}/resolver",
                     data={"decision": "set_aside", "note": "Ya lo explica §4."}).status_code == 303
    assert ManualFeedback.get_by_id(item.id).status == "set_aside"
    # Someone who does not handle the document cannot settle it.
    assert browser(user=seller).post(f"/manual/{document.id}/comentarios/{item.id}/resolver",
                                     data={"decision": "set_aside", "note": "x"}).status_code == 404


def _gathered(document, author, n, status="open"):
    """``n`` items of feedback on the document (ids rising), open or set aside."""
    return [ManualFeedback.create(document=document, version=document.current_id, author=author, what=f"Punto {i}.",
                                  status=status, considered_note="Ya lo explica §4." if status != "open" else "").id
            for i in range(n)]


def test_feedback_list_query_count_is_constant(http, login_as, browser, setting, make_user):
    quality, boss, seller, other, document = setting
    laura = browser(user=seller)
    _send(laura, document, what="Primero.")
    login_as(user=quality)
    with count_queries() as few:
        assert http.get(f"/manual/{document.id}/comentarios").status_code == 200
    for i in range(6):
        _send(browser(user=make_user(roles=("service",), name=f"Persona {i}", email=f"p{i}@firma.test")), document,
              what=f"Comentario {i}.")
    with count_queries() as many:
        assert http.get(f"/manual/{document.id}/comentarios").status_code == 200
    _gathered(document, seller, 20, "set_aside")
    _gathered(document, other, 20)
    with count_queries() as full:
        assert http.get(f"/manual/{document.id}/comentarios").status_code == 200
    with count_queries() as last:
        assert http.get(f"/manual/{document.id}/comentarios?pagina=2").status_code == 200
    assert many.count == few.count == full.count == last.count


def test_feedback_is_paged_open_first(http, login_as, setting):
    quality, boss, seller, other, document = setting
    still_open = _gathered(document, seller, 10)
    settled = _gathered(document, other, 20, "set_aside")  # newer than the open ones, listed after them
    login_as(user=quality)
    first = http.get(f"/manual/{document.id}/comentarios").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-testid="feedback-(\d+)"', first)]
    assert shown == still_open[::-1] + settled[::-1][:15]
    assert "10 comentarios abiertos" in first and "Por atender" in first and "Atendidos" in first
    # The states in this page's own words (not "En curso" / "Descartar" of other pages).
    assert first.count('badge-warn">Abierto</span>') == 10 and first.count('badge-muted">Descartado</span>') == 15
    assert "Página 1 de 2" in first and f'href="/manual/{document.id}/comentarios?pagina=2"' in first
    assert first.count("/resolver\"") == first.count('name="decision"') == 10  # a settle form for each open item
    second = http.get(f"/manual/{document.id}/comentarios?pagina=2",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in second and "Página 2 de 2" in second and "Por atender" not in second
    assert [int(i) for i in re.findall(r'data-testid="feedback-(\d+)"', second)] == settled[::-1][15:]


def test_a_failed_settle_shows_its_form_and_error(http, login_as, setting):
    quality, boss, seller, other, document = setting
    ids = _gathered(document, seller, 30)  # the five oldest are on page 2
    login_as(user=quality)
    oldest = ids[0]
    page_two = http.get(f"/manual/{document.id}/comentarios?pagina=2").get_data(as_text=True)
    assert f'action="/manual/{document.id}/comentarios/{oldest}/resolver?pagina=2"' in page_two
    # Sent from page 2: page 2 again, the item with its error beside the note.
    failed = http.post(f"/manual/{document.id}/comentarios/{oldest}/resolver?pagina=2",
                       data={"decision": "set_aside"})
    body = failed.get_data(as_text=True)
    assert failed.status_code == 422 and "Página 2 de 2" in body
    assert _error(body, f"note-{oldest}") == "Indica por qué se descarta."
    item = body[body.index(f'data-testid="feedback-{oldest}"'):]
    assert item.index(f'id="note-{oldest}-error"') < item.index("</li>")
    assert f'<label class="label" for="note-{oldest}">' in item[:item.index("</li>")]
    assert f'aria-describedby="note-{oldest}-error"' in item[:item.index("</li>")]
    # Sent from page 1 (or the page moved meanwhile): the item comes first, with its error.
    moved = http.post(f"/manual/{document.id}/comentarios/{oldest}/resolver", data={"decision": "set_aside"})
    body = moved.get_data(as_text=True)
    assert moved.status_code == 422 and "Página 1 de 2" in body
    assert re.findall(r'data-testid="feedback-(\d+)"', body)[0] == str(oldest)
    assert _error(body, f"note-{oldest}") == "Indica por qué se descarta."
    # Settled: back to the page it was sent from.
    done = http.post(f"/manual/{document.id}/comentarios/{oldest}/resolver?pagina=2",
                     data={"decision": "set_aside", "note": "Ya lo explica §4."})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/manual/{document.id}/comentarios?pagina=2")
    # Settled meanwhile by someone else: shown with the form and why it failed.
    again = http.post(f"/manual/{document.id}/comentarios/{oldest}/resolver?pagina=2",
                      data={"decision": "set_aside", "note": "x"})
    body = again.get_data(as_text=True)
    assert again.status_code == 422 and _error(body, f"decision-{oldest}") == "Este comentario ya fue atendido."


def test_each_settle_form_has_its_own_ids(http, login_as, setting):
    """Several settle forms on a page: each label, error and hidden token points into its own form (WCAG 1.3.1, 4.1.2),
    while the names posted stay those the route reads."""
    quality, boss, seller, other, document = setting
    ids = _gathered(document, seller, 4)
    _gathered(document, other, 2, "set_aside")
    login_as(user=quality)
    page = http.get(f"/manual/{document.id}/comentarios").get_data(as_text=True)
    every_id = re.findall(r'\sid="([^"]+)"', page)
    assert len(every_id) == len(set(every_id))
    for i in ids:
        item = page[page.index(f'data-testid="feedback-{i}"'):]
        item = item[:item.index("</li>")]
        for name in ("decision", "note"):
            assert f'<label class="label" for="{name}-{i}">' in item
            assert re.search(rf'<(select|input)[^>]* id="{name}-{i}"[^>]* name="{name}"', item)
        assert re.search(rf'<input id="csrf_token-{i}" name="csrf_token" type="hidden"', item)
    assert page.count('name="decision"') == page.count('name="csrf_token"') - 1 == 4  # and the layout's sign-out
