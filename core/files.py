"""Uploads and downloads (SECURITY.md F1–F4).

Only PDF, PNG and JPEG, recognised by their first bytes and agreeing with the extension; at most 20 MiB.
Images are decoded and written again with Pillow: EXIF (GPS, camera, dates), text chunks and comments are
dropped, the EXIF orientation is applied to the pixels first, and images over ``MAX_PIXELS`` are refused
before they are decoded (decompression bombs). Files are encrypted with AES-256-GCM (the field key, bound to the file's random name) and stored in
``instance/files/`` — never under static/. Downloads go through an authorised view that audits the read and
answers ``Content-Disposition: attachment``, ``nosniff``, ``CSP: sandbox`` and ``no-store``.
"""

import hashlib
import io
import re
import secrets
import unicodedata
import warnings
from pathlib import Path
from urllib.parse import quote

from flask import current_app, make_response
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
MAX_PIXELS = 50_000_000  # an A4 page scanned at 600 dpi is 35 megapixels
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses anything twice as large even where we do not look


class FileRejected(ValueError):
    pass


class FileTooLarge(FileRejected):
    """Over the size limit (the view answers 413)."""


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
        raise FileTooLarge(_("The file is larger than 20 MB."))
    if not data:
        raise FileRejected(_("The file is empty."))
    content_type, signatures = KINDS[extension]
    if not any(data.startswith(sig) for sig in signatures):
        raise FileRejected(_("The content of the file does not match its extension."))
    if content_type != "application/pdf":
        data = _reencode(data, "PNG" if content_type == "image/png" else "JPEG")
    return data, content_type, name


def _reencode(data: bytes, kind: str) -> bytes:
    """The same picture without its metadata (SECURITY.md F2). A file whose first bytes say PNG or JPEG but
    that cannot be decoded is refused: it is not the picture it claims to be."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # palette and profile remarks: the result is checked below
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ({"JPEG", "MPO"} if kind == "JPEG" else {"PNG"}):  # MPO: phone cameras
                    raise FileRejected(_("The content of the file does not match its extension."))
                if image.width * image.height > MAX_PIXELS:
                    raise FileRejected(_("The image is too large (more than 50 megapixels)."))
                image.load()
                return _save_clean(image, kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRejected(_("The image is too large (more than 50 megapixels).")) from exc
    except (UnidentifiedImageError, SyntaxError, EOFError, OSError) as exc:  # truncated or corrupt pixel data
        raise FileRejected(_("The image is damaged and cannot be read.")) from exc


def _save_clean(image, kind: str) -> bytes:
    keep = {k: image.info[k] for k in ("icc_profile", "dpi", "transparency") if image.info.get(k) is not None}
    image = ImageOps.exif_transpose(image)  # the pixels upright, so dropping the orientation tag changes nothing
    if kind == "JPEG" and image.mode not in ("RGB", "L"):  # CMYK JPEGs come back inverted in some viewers
        image = image.convert("RGB")
        keep.pop("icc_profile", None)  # it described the old colour space
    image.info = {}  # Pillow copies some of it (JPEG comments, PNG chunks) when saving
    if kind == "JPEG":
        keep.pop("transparency", None)
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 90} if kind == "JPEG" else {}), **keep)
    return out.getvalue()


def store(upload, purpose: str, user) -> StoredFile:
    data, content_type, name = check(upload)
    return save(data, content_type, name, purpose, user)


def save(data: bytes, content_type: str, name: str, purpose: str, user) -> StoredFile:
    """Store content that check() accepted (so a caller can check before opening its transaction)."""
    storage_name = secrets.token_hex(16)
    (_directory() / storage_name).write_bytes(crypto.keys.field.seal(data, f"stored_file|{storage_name}"))
    return StoredFile.create(storage_name=storage_name, original_name=name, content_type=content_type, size=len(data),
                             sha256=hashlib.sha256(data).hexdigest(), purpose=purpose, uploaded_by=user)


def discard(stored: StoredFile) -> None:
    """Remove the encrypted file of a row that will not be kept (its transaction failed)."""
    (_directory() / stored.storage_name).unlink(missing_ok=True)


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
