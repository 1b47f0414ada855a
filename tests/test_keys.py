"""`flask keys generate` and the one-line refusal to start without good keys (SECURITY.md E2)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from core import crypto
from core.config import KEY_NAMES, build_config
from core.keys import fragment


def _flask(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], capture_output=True, text=True,
                          timeout=60, env=env, cwd=cwd)


def _production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAZA_")}
    env.update(TRAZA_ENV="production", TRAZA_INSTANCE=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/t.db", **extra)
    return env


def _parse(text):
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_e2_generated_keys_are_five_distinct_keys_the_app_accepts(tmp_path):
    keys = _parse(fragment())
    assert sorted(keys) == sorted(f"TRAZA_{n}" for n in KEY_NAMES)
    assert len(set(keys.values())) == 5
    config = build_config({"ENV": "production", "INSTANCE_PATH": str(tmp_path),
                           **{n: keys[f"TRAZA_{n}"] for n in KEY_NAMES}})
    kid, _, _ = keys["TRAZA_FIELD_KEY"].partition(":")
    assert crypto.Cipher(config["FIELD_KEY"]).primary == kid and kid.startswith("k")


def test_e2_without_keys_production_refuses_in_one_line_and_says_how_to_make_them(tmp_path):
    result = _flask("db", "status", env=_production_env(tmp_path))
    assert result.returncode == 3  # gunicorn stops on it instead of restarting workers
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "faltan claves" in result.stderr and "keys generate" in result.stderr


def test_e2_keys_generate_works_before_any_key_exists_and_never_overwrites(tmp_path):
    env = _production_env(tmp_path)
    target = tmp_path / "traza.env"
    made = _flask("keys", "generate", "--output", str(target), env=env)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = target.read_text()
    again = _flask("keys", "generate", "--output", str(target), env=env)
    assert again.returncode != 0 and "ya existe" in again.stderr
    assert target.read_text() == first
    started = _flask("db", "status", env=dict(env, **_parse(first)))
    assert "Traza no puede arrancar" not in started.stderr
    assert "0001_initial" in started.stdout


def test_e2_repeated_key_is_one_line(tmp_path):
    keys = _parse(fragment())
    keys["TRAZA_TOTP_KEY"] = keys["TRAZA_SECRET_KEY"]
    result = _flask("db", "status", env=_production_env(tmp_path, **keys))
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "cada clave debe ser distinta" in result.stderr


def test_e2_gunicorn_without_keys_stops_with_the_line_instead_of_restarting_workers(tmp_path):
    env = _production_env(tmp_path)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    result = subprocess.run([gunicorn, "--bind", "127.0.0.1:0", "--workers", "2", "app:create_app()"],
                            capture_output=True, text=True, timeout=60, env=env)  # a restart loop would time out
    assert result.returncode != 0 and "Worker failed to boot" in result.stderr  # the master stopped
    assert "Traza no puede arrancar: faltan claves" in result.stderr
    assert "core/config.py" not in result.stderr  # no traceback of ours (gunicorn may print its own)
