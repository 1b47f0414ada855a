"""The production server's configuration (deploy/gunicorn.conf.py), read as gunicorn reads it."""

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def test_a_worker_freezes_the_loaded_app_out_of_full_collections():
    settings = runpy.run_path(str(CONFIG))
    assert settings["worker_class"] == "sync"
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
