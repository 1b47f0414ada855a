"""Uploads and downloads (SECURITY.md F1–F4).

Only PDF, PNG and JPEG, recognised by their first bytes and agreeing with the extension; at most 20 MiB.
Files are encrypted with AES-256-GCM (the field key, bound to the file's random name) and stored in
``instance/files/`` — never under static/. Downloads go through an authorised view that audits the read and
answers ``Content-Disposition: attachment``, ``nosniff``, ``CSP: sandbox`` and ``no-store``.
"""

import hashlib
import re
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import current_app, make_response
from flask_babel import gettext as _

from core import crypto
from models.files import StoredFile

MAX_BYTES = 20 * 1024 * 1024
KINDS = {  # extension → (content type, magic bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ACCEPT = ".pdf,.png,.jpg,.jpeg"


class FileRejected(ValueError):
    pass


def _directory() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "files"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def safe_name(filename: str) -> str:
    """The last path component, printable, at most 120 characters: 'a/../b?.pdf' → 'b_.pdf'."""
    name = re.split(r"[\\\\/]", filename or "")[-1]
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .") or "archivo"
    return name[-120:]


def check(upload) -> tuple[bytes, str, str]:
    """The content, its type and a safe name, or FileRejected with the reason in Spanish."""
    name = safe_name(upload.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise FileRejected(_("Only PDF, PNG or JPEG files."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileRejected(_("The file is larger than 20 MB."))
    if not data:
        raise FileRejected(_("The file is empty."))
    content_type, signatures = KINDS[extension]
    if not any(data.startswith(sig) for sig in signatures):
        raise FileRejected(_("The content of the file does not match its extension."))
    return data, content_type, name


def store(upload, purpose: str, user) -> StoredFile:
    data, content_type, name = check(upload)
    storage_name = secrets.token_hex(16)
    (_directory() / storage_name).write_bytes(crypto.keys.field.seal(data, f"stored_file|{storage_name}"))
    return StoredFile.create(storage_name=storage_name, original_name=name, content_type=content_type, size=len(data),
                             sha256=hashlib.sha256(data).hexdigest(), purpose=purpose, uploaded_by=user)


def read(stored: StoredFile) -> bytes:
    sealed = (_directory() / stored.storage_name).read_bytes()
    return crypto.keys.field.unseal(sealed, f"stored_file|{stored.storage_name}")


def download(stored: StoredFile):
    response = make_response(read(stored))
    response.headers["Content-Type"] = stored.content_type
    response.headers["Content-Disposition"] = (f"attachment; filename=\"{stored.original_name.encode('ascii', 'replace').decode()}\"; "
                                               f"filename*=UTF-8''{quote(stored.original_name)}")
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
