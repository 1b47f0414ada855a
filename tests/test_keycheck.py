"""Keys that do not open the data stop Traza at start and fail the health check (SECURITY.md E2, E3)."""

import base64
import os
import secrets
import subprocess
import sys

import pytest

from core import crypto, keycheck
from core.config import ConfigError
from models.keys import KeyCheck


def _key(kid):
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def test_e2_the_first_start_records_a_check_value_per_key_and_the_health_check_reads_it(app, http):
    with app.app_context():
        assert sorted(KeyCheck.select(KeyCheck.purpose).tuples()) == [("audit",), ("blind_index",), ("field",), ("totp",)]
        field = KeyCheck.get(KeyCheck.purpose == "field").value
        assert keycheck.KNOWN not in field and field.startswith("v1.")
    assert http.get("/healthz").json["keys"] == "ok"


def test_e2_new_keys_on_existing_data_refuse_to_start(app, make_app):
    with pytest.raises(ConfigError, match="TRAZA_FIELD_KEY"):
        make_app(FIELD_KEY=_key("nueva"))
    with pytest.raises(ConfigError, match="TRAZA_AUDIT_KEY, TRAZA_TOTP_KEY"):
        make_app(AUDIT_KEY=secrets.token_urlsafe(32), TOTP_KEY=_key("otra"))
    make_app()  # the right keys still start


def test_e2_wrong_keys_stop_the_command_line_in_one_line(app, db_url, keys_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAZA_")}
    env.update(DATABASE_URL=db_url, TRAZA_INSTANCE=str(tmp_path / "otra"))  # new keys.json generated there
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "status"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3  # gunicorn stops on it instead of restarting workers
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
    assert "las claves no corresponden a los datos" in result.stderr


def test_e3_after_a_rotation_the_old_key_can_go(app, make_app):
    old = app.config["FIELD_KEY"]
    new = _key("k2")
    rotated = make_app(FIELD_KEY=f"{new};{old}")  # the new key first: still opens what the old one sealed
    with rotated.app_context():
        assert keycheck.reseal() == 2  # the field and TOTP checks, each under its primary key
        assert KeyCheck.get(KeyCheck.purpose == "field").value.startswith("v1.k2.")
    make_app(FIELD_KEY=new)
    with pytest.raises(ConfigError):
        make_app(FIELD_KEY=old)


def test_e2_health_check_answers_503_when_a_key_no_longer_matches(app, http):
    with app.app_context():
        other = crypto.Cipher(_key("x"))
        KeyCheck.update(value=other.encrypt(keycheck.KNOWN, "key_check|value|field")).where(
            KeyCheck.purpose == "field").execute()
    response = http.get("/healthz")
    assert response.status_code == 503
    assert response.json["keys"] == "mismatch" and response.json["settings"] == ["TRAZA_FIELD_KEY"]
