"""Rate limits shared by several app instances through the real Redis server (SECURITY.md R1).

Several hosts behind one proxy must count one client's failures together, or each host multiplies the
allowance. The second instance runs in another process, as it would on another host.
"""

import json
import os
import subprocess
import sys
import textwrap

from tests.conftest import REDIS_URL, _base_overrides
from tests.factories import make_user as factory

OTHER_HOST = textwrap.dedent("""
    import json, sys
    from app import create_app
    overrides = json.loads(sys.argv[1])
    app = create_app(overrides)
    client = app.test_client()
    for email in json.loads(sys.argv[2]):
        client.post("/entrar", data={"email": email, "password": "mala"}, environ_base={"REMOTE_ADDR": "10.4.4.4"})
    print("ok")
""")


def test_r1_one_limit_counted_across_two_instances(make_app, keys_dir, db_url, smtp_server, redis_store):
    overrides = dict(_base_overrides(keys_dir, smtp_server[1], db_url), RATELIMIT_ENABLED=True,
                     RATELIMIT_STORAGE_URI=REDIS_URL, WTF_CSRF_ENABLED=False)
    here = make_app(**overrides)
    with here.app_context():
        users = [factory() for _ in range(11)]
    result = subprocess.run([sys.executable, "-c", OTHER_HOST, json.dumps(overrides),
                             json.dumps([u.email for u in users[:10]])],
                            capture_output=True, text=True, timeout=120, cwd=os.getcwd())
    assert result.returncode == 0, result.stderr[-2000:]
    assert redis_store.dbsize() > 0, "the other instance counted in Redis"
    response = here.test_client().post("/entrar", data={"email": users[10].email, "password": "mala"},
                                       environ_base={"REMOTE_ADDR": "10.4.4.4"})
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)
    other_ip = here.test_client().post("/entrar", data={"email": users[10].email, "password": "mala"},
                                       environ_base={"REMOTE_ADDR": "10.5.5.5"})
    assert other_ip.status_code == 422
