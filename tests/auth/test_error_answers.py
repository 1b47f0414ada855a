"""Error answers (405, 416, 413, 404 to htmx) keep their status code, their own headers and the security
headers."""


def test_error_answers_keep_their_code_headers_and_security_headers(app, http, login_as):
    login_as("commercial")
    not_allowed = http.get("/salir")
    assert not_allowed.status_code == 405 and "POST" in not_allowed.headers["Allow"]
    ranged = http.get("/static/css/app.css", headers={"Range": "bytes=99999999-"})
    assert ranged.status_code == 416
    ranged.close()
    too_big = http.post("/perfil/idioma", data={"locale": "x" * (2 * 1024 * 1024)})
    assert too_big.status_code == 413
    for response in (not_allowed, ranged, too_big, http.get("/no-existe", headers={"HX-Request": "true"})):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
