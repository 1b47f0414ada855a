"""Administration of staff accounts (issue: admin screens; SECURITY.md T9, A5, S6, P5)."""

import re
from datetime import UTC

from models.audit import AuditEvent
from models.users import ActivationToken, RecoveryCode, User, UserRole, UserSession
from tests.factories import PASSWORD, code_for, sign_in


def _link_from(mailbox, email):
    (message,) = mailbox.to(email)
    return re.search(r"https://traza\.example\.test(/activar/[A-Za-z0-9_\-]+)", mailbox.text(message)).group(1)


def test_admin_creates_user_who_activates_enrols_and_sees_only_their_pages(app, http, login_as, mailbox):
    login_as("admin")
    response = http.post("/admin/usuarios/nuevo", data={"name": "Camila Restrepo", "email": "Camila@Firma.test",
                                                         "roles": ["commercial"]})
    assert response.status_code == 303
    user = User.by_email("camila@firma.test")
    assert user.role_names == ["commercial"] and user.password_hash is None
    link = _link_from(mailbox, "camila@firma.test")
    message = mailbox.to("camila@firma.test")[0]
    assert "Activa tu cuenta" in message["Subject"] and "Camila" in mailbox.html(message)
    assert ActivationToken.get(ActivationToken.user == user.id).token_hash not in mailbox.text(message)

    colleague = app.test_client()
    assert colleague.get(link).status_code == 200
    assert colleague.get(link).headers["Referrer-Policy"] == "no-referrer"
    weak = colleague.post(link, data={"password": "camila12345", "confirm": "camila12345"})
    assert weak.status_code == 422
    strong = "brújula naranja del puerto viejo"
    done = colleague.post(link, data={"password": strong, "confirm": strong})
    assert done.status_code == 303 and done.headers["Location"] == "/entrar/configurar-2fa"
    body = colleague.get("/entrar/configurar-2fa").get_data(as_text=True)
    key = re.search(r'data-testid="totp-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    import pyotp

    codes_page = colleague.post("/entrar/configurar-2fa", data={"code": pyotp.TOTP(key).now()})
    assert len(re.findall(r"<li><code>[0-9A-Z-]{19}</code></li>", codes_page.get_data(as_text=True))) == 10
    assert colleague.get("/").status_code == 200
    assert colleague.get("/admin/usuarios").status_code == 403
    assert colleague.get("/admin/auditoria").status_code == 403
    assert colleague.get(link).status_code == 404  # the link worked once


def test_invite_validation_messages_beside_fields(app, http, login_as, make_user):
    login_as("admin")
    existing = make_user()
    response = http.post("/admin/usuarios/nuevo", data={"name": "", "email": "no-es-correo", "roles": []})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in body and 'id="email-error"' in body and 'id="roles-error"' in body
    dup = http.post("/admin/usuarios/nuevo", data={"name": "X", "email": existing.email, "roles": ["service"]})
    assert "Ya existe una cuenta con ese correo" in dup.get_data(as_text=True)
    assert User.select().count() == 2


def test_expired_activation_link(app, http, login_as, mailbox):
    from datetime import datetime, timedelta

    import time_machine

    login_as("admin")
    http.post("/admin/usuarios/nuevo", data={"name": "Tardío", "email": "tarde@firma.test", "roles": ["service"]})
    link = _link_from(mailbox, "tarde@firma.test")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24, seconds=1)):
        page = app.test_client().get(link)
    assert page.status_code == 404 and "ya no es válido" in page.get_data(as_text=True)


def test_roles_change_is_audited_and_removal_ends_sessions(app, http, login_as, make_user):
    login_as("admin")
    colleague = make_user(roles=("commercial", "service"))
    other = app.test_client()
    sign_in(other, colleague)
    response = http.post(f"/admin/usuarios/{colleague.id}/roles", data={"roles": ["commercial"], "supervisor": "0"})
    assert response.status_code == 303
    assert User.get_by_id(colleague.id).role_names == ["commercial"]
    assert other.get("/").status_code == 302
    event = AuditEvent.get(AuditEvent.action == "authz_change")
    assert event.object_id == str(colleague.id) and "-service" in event.detail


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app, http, login_as):
    me = login_as("admin")
    response = http.post(f"/admin/usuarios/{me.id}/roles", data={"roles": ["quality"], "supervisor": "0"})
    assert response.status_code == 422
    assert "No puedes quitarte tu propio rol" in response.get_data(as_text=True)
    assert "admin" in User.get_by_id(me.id).role_names
    http.post(f"/admin/usuarios/{me.id}/desactivar")
    assert User.get_by_id(me.id).is_active


def test_last_admin_cannot_be_deactivated(app, http, login_as, make_user):
    me = login_as("admin")
    other_admin = make_user(roles=("admin",))
    assert http.post(f"/admin/usuarios/{other_admin.id}/desactivar").status_code == 303
    assert not User.get_by_id(other_admin.id).is_active
    from services.admin import accounts

    with app.test_request_context():
        try:
            accounts.deactivate(User.get_by_id(me.id), actor=None)
        except accounts.AccountError as exc:
            assert "último" in str(exc)
        else:
            raise AssertionError("the last admin was deactivated")


def test_deactivate_ends_sessions_and_reactivate(app, http, login_as, make_user):
    login_as("admin")
    colleague = make_user()
    other = app.test_client()
    sign_in(other, colleague)
    http.post(f"/admin/usuarios/{colleague.id}/desactivar")
    assert other.get("/").status_code == 302
    assert UserSession.live_count(colleague) == 0
    http.post(f"/admin/usuarios/{colleague.id}/reactivar")
    assert User.get_by_id(colleague.id).is_active


def test_t9_reset_2fa(app, http, login_as, make_user, mailbox):
    login_as("admin")
    colleague = make_user()
    other = app.test_client()
    sign_in(other, colleague)
    page = http.get(f"/admin/usuarios/{colleague.id}/restablecer-2fa")
    assert page.status_code == 200
    missing = http.post(f"/admin/usuarios/{colleague.id}/restablecer-2fa", data={"reason": ""})
    assert missing.status_code == 422 and User.get_by_id(colleague.id).totp_secret
    done = http.post(f"/admin/usuarios/{colleague.id}/restablecer-2fa",
                     data={"reason": "Perdió el teléfono; identidad confirmada por llamada"})
    assert done.status_code == 303
    fresh = User.get_by_id(colleague.id)
    assert fresh.totp_secret is None and RecoveryCode.remaining(fresh) == 0
    assert other.get("/").status_code == 302
    event = AuditEvent.get(AuditEvent.action == "mfa_reset")
    assert "Perdió el teléfono" in event.detail
    assert mailbox.to(colleague.email)
    again = app.test_client()
    response = again.post("/entrar", data={"email": colleague.email, "password": PASSWORD})
    assert response.headers["Location"].startswith("/entrar/configurar-2fa")
    assert again.get("/").status_code == 302


def test_admin_actions_need_fresh_authentication(app, http, login_as, make_user):
    from datetime import datetime

    import time_machine

    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        login_as("admin")
        colleague = make_user()
        traveller.shift(9 * 60)
        http.get("/")
        traveller.shift(2 * 60)
        response = http.post(f"/admin/usuarios/{colleague.id}/desactivar",
                             headers={"Referer": f"http://localhost/admin/usuarios/{colleague.id}"})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/confirmar?next=/admin/usuarios/{colleague.id}"
        assert User.get_by_id(colleague.id).is_active


def test_users_list_search_filters_and_partial(app, http, login_as, make_user):
    login_as("admin")
    make_user(name="Mariana Ospina", roles=("quality",))
    make_user(name="Jorge Pérez", roles=("operations",))
    body = http.get("/admin/usuarios?q=ospina").get_data(as_text=True)
    assert "Mariana Ospina" in body and "Jorge Pérez" not in body
    for typed in ("OSPINA", "mariana osp", "Pérez"):  # in any case, on either database
        body = http.get("/admin/usuarios", query_string={"q": typed}).get_data(as_text=True)
        assert ("Jorge Pérez" in body) == (typed == "Pérez") and ("Mariana Ospina" in body) == (typed != "Pérez"), typed
    partial = http.get("/admin/usuarios?role=operations", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Jorge Pérez" in partial and "Mariana" not in partial and "<html" not in partial


def test_users_list_queries_constant(app, http, login_as, make_user):
    from playhouse.test_utils import count_queries

    login_as("admin")
    with count_queries() as few:
        http.get("/admin/usuarios")
    for _ in range(15):
        make_user(roles=("service", "quality"))
    with count_queries() as many:
        http.get("/admin/usuarios")
    assert many.count == few.count


def test_the_list_as_it_opens_reads_prepared_statements_that_match_the_search(app, http, login_as, make_user):
    """Unfiltered, the accounts list reads its count, its page and its roles from prepared statements: the same
    accounts, in the same order and with the same roles, as ``search()`` and the built query; page 2 too."""
    login_as("admin")
    for i in range(30):
        make_user(name=f"Persona {i:02d}", roles=(("service", "quality"), ("operations",), ())[i % 3])
    with app.app_context():
        from core.db import count

        assert User.count_all() == count(User.search()) == 31
        for number in (1, 2):
            built = list(User.search().paginate(number, 25))
            prepared = User.listed((number - 1) * 25, 25)
            assert [u.id for u in prepared] == [u.id for u in built] and prepared
            by_hand = {u.id: sorted(r.role for r in UserRole.select().where(UserRole.user == u.id)) for u in built}
            assert {i: sorted(r) for i, r in User.roles_for(prepared).items()} == by_hand
    second = http.get("/admin/usuarios?pagina=2").get_data(as_text=True)
    assert "Persona 29" in second and "Persona 00" not in second


def test_cli_bootstrap_admin_then_colleague(app, mailbox):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "directora@firma.test", "--name", "Laura Gómez"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https://traza\.example\.test(/activar/\S+)", result.output).group(1)
    admin_browser = app.test_client()
    admin_browser.post(link, data={"password": "atardecer sobre el río magdalena", "confirm": "atardecer sobre el río magdalena"})
    body = admin_browser.get("/entrar/configurar-2fa").get_data(as_text=True)
    import pyotp

    key = re.search(r'data-testid="totp-key"><code>([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    admin_browser.post("/entrar/configurar-2fa", data={"code": pyotp.TOTP(key).now()})
    assert admin_browser.get("/admin/usuarios").status_code == 200
    created = runner.invoke(args=["users", "create", "comercial@firma.test", "--role", "commercial", "--role", "service"])
    assert created.exit_code == 0 and "/activar/" in created.output
    assert sorted(User.by_email("comercial@firma.test").role_names) == ["commercial", "service"]
    listing = runner.invoke(args=["users", "list"])
    assert "directora@firma.test" in listing.output and "admin" in listing.output
    assert runner.invoke(args=["users", "deactivate", "comercial@firma.test"]).exit_code == 0
    assert not User.by_email("comercial@firma.test").is_active
    duplicate = runner.invoke(args=["users", "create-admin", "directora@firma.test"])
    assert duplicate.exit_code != 0


def test_role_rows_are_unique(app, make_user):
    user = make_user(roles=("service",))
    import pytest
    from peewee import IntegrityError

    with pytest.raises(IntegrityError):
        UserRole.create(user=user.id, role="service")
    code_for  # noqa: B018 (imported for other tests)


def test_accounts_list_says_each_accounts_state(app, http, login_as, make_user):
    """The list reads only what it shows and what each state comes from; each row and the account's page say it."""
    from core.db import utcnow

    states = {"Desactivada": make_user(name="Ana Desactivada", active=False),
              "Bloqueada": make_user(name="Bruno Bloqueado"),
              "Pendiente de activación": make_user(name="Carla Pendiente", password=None, totp=False),
              "Sin 2FA": make_user(name="Diego SinDosPasos", totp=False),
              "Activa": make_user(name="Elena Activa")}
    User.update(locked_at=utcnow()).where(User.id == states["Bloqueada"].id).execute()
    login_as("admin")
    page = http.get("/admin/usuarios?q=a").get_data(as_text=True)
    for word, user in states.items():
        row = re.search(rf'<tr>\s*<td data-label="Nombre"><a href="/admin/usuarios/{user.id}">{user.name}</a>.*?</tr>',
                        page, re.S)
        assert row and f">{word}</span>" in row.group(0), word
        assert f">{word}</span>" in http.get(f"/admin/usuarios/{user.id}").get_data(as_text=True), word


def test_the_start_pages_accounts_card_counts_in_the_plural(app, http, login_as, make_user):
    from core.db import utcnow

    locked = [make_user(name="Bruno Bloqueado"), make_user(name="Berta Bloqueada")]
    User.update(locked_at=utcnow()).where(User.id.in_([u.id for u in locked])).execute()
    login_as("admin")
    card = re.search(r"<h2>Cuentas</h2>.*?</dl>", http.get("/").get_data(as_text=True), re.S).group(0)
    assert re.search(r'<dt>Bloqueadas</dt><dd><a href="/admin/usuarios\?status=locked">2</a></dd>', card), card
