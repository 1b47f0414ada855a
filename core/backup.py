"""Backups: ``flask backup create``, ``verify`` and ``restore`` (SECURITY.md B3).

An archive is one file holding a tar stream: the database snapshot, the stored files exactly as they lie on
disk (already sealed with the field key), and ``manifest.json`` last, with the SHA-256 and size of every
other member and the row count of every table at the moment of the snapshot.

- **SQLite**: an online copy through ``sqlite3.Connection.backup`` (one step, inside one read transaction,
  so writers go on and the copy is one consistent moment; never a copy of the live file and its WAL),
  checked with ``PRAGMA integrity_check`` and gzipped.
- **PostgreSQL**: ``pg_dump --format=custom`` on a snapshot exported from a REPEATABLE READ transaction; the
  row counts and the list of stored files are read in that same transaction, so they describe the dump.

The whole stream is encrypted with AES-256-GCM in chunks of 1 MiB (the STREAM construction: each chunk's
nonce is its counter and a last-chunk flag, the header is the AAD of every chunk, so a chunk cannot be
changed, moved, dropped or cut off without the check failing). The key is derived with HKDF-SHA256 from the
field key named in the header and a random salt (docs/decisions.md says why no separate backup key):
without TRAZA_FIELD_KEY the archive is noise, not SQLite.

Restore goes into a fresh instance: it refuses a database or a files folder that already has data unless
``--force``; it verifies the whole archive before touching anything, then the row counts after loading it,
the audit chain and the key check values.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask.cli import AppGroup
from peewee import OperationalError, PostgresqlDatabase

from core import crypto
from core.db import close_all, db, is_sqlite, patient_writes

MAGIC = b"TRAZA-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20
TAG = 16
SALT = 16
SQLITE_MEMBER = "database.sqlite.gz"
PG_MEMBER = "database.pgdump"
MANIFEST = "manifest.json"
AUDIT_PATIENCE = 120  # seconds the backup's audit row waits for SQLite's write lock while the app writes
FILE_NAME = re.compile(r"[0-9A-Za-z_-]{1,64}")  # stored files are named by secrets.token_hex(16)
# A fresh instance may hold migrated, empty tables and its key check values; these say someone used it.
DATA_TABLES = ("app_user", "audit_event", "client", "stored_file")

TAMPERED = "La copia está dañada o ha sido alterada (no supera la comprobación de integridad): no se ha restaurado nada."


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the person running it."""


# ----- the encrypted container -----

def _archive_key(raw: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"traza backup v1").derive(raw)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class _SealedWriter:
    """What tarfile writes, encrypted chunk by chunk after the header."""

    def __init__(self, fh, kid: str, raw_key: bytes):
        salt = os.urandom(SALT)
        kid_bytes = kid.encode()
        self.header = MAGIC + bytes([FORMAT, len(kid_bytes)]) + kid_bytes + salt
        self._fh, self._aead = fh, AESGCM(_archive_key(raw_key, salt))
        self._buffer = bytearray()
        self._counter = 0
        fh.write(self.header)

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # strictly more: the last chunk is written by finish()
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, chunk: bytes, last: bool) -> None:
        self._fh.write(self._aead.encrypt(_nonce(self._counter, last), chunk, self.header))
        self._counter += 1


def _read_header(fh) -> tuple[bytes, str, bytes]:
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupError("Ese archivo no es una copia de seguridad de Traza.")
    head = fh.read(2)
    if len(head) != 2 or head[0] != FORMAT:
        raise BackupError("Formato de copia desconocido: restáurela con la versión de Traza que la creó.")
    kid_bytes, salt = fh.read(head[1]), fh.read(SALT)
    if len(kid_bytes) != head[1] or len(salt) != SALT:
        raise BackupError(TAMPERED)
    return magic + head + kid_bytes + salt, kid_bytes.decode(errors="replace"), salt


class _OpenedReader:
    """The plaintext of an archive, released only chunk by authenticated chunk."""

    def __init__(self, fh):
        self.header, kid, salt = _read_header(fh)
        raw = crypto.keys.field.keys.get(kid) if crypto.keys.field else None
        if raw is None:
            raise BackupError(f"Esta copia se cifró con la clave «{kid}» de TRAZA_FIELD_KEY, que no está configurada: "
                              "use las claves guardadas en custodia con la copia.")
        self._fh, self._aead = fh, AESGCM(_archive_key(raw, salt))
        self._pending = fh.read(CHUNK + TAG)
        self._out = bytearray()
        self._counter = 0
        self.finished = False

    def read(self, size: int = -1) -> bytes:
        while not self.finished and (size < 0 or len(self._out) < size):
            self._next_chunk()
        size = len(self._out) if size < 0 else min(size, len(self._out))
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def drain(self) -> None:
        """Read to the end: a cut or altered tail fails here even after the tar has ended."""
        while not self.finished:
            self._next_chunk()
            self._out.clear()

    def _next_chunk(self) -> None:
        block, self._pending = self._pending, self._fh.read(CHUNK + TAG)
        last = not self._pending
        try:
            plain = self._aead.decrypt(_nonce(self._counter, last), block, self.header)
        except (InvalidTag, ValueError) as exc:
            raise BackupError(TAMPERED) from exc
        self._counter += 1
        self._out += plain
        self.finished = last


class _Hashing:
    """A file-like reader that hashes what passes through it."""

    def __init__(self, fh):
        self._fh, self.sha256, self.size = fh, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


# ----- helpers -----

def _instance() -> Path:
    return Path(current_app.config["INSTANCE_PATH"])


def _files_dir() -> Path:
    return _instance() / "files"


@contextmanager
def _workdir():
    """A private scratch folder beside the data (never /tmp: it holds a plaintext database for a while)."""
    _instance().mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".backup-", dir=_instance()))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _private_file(path: Path):
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _engine() -> str:
    return "sqlite" if is_sqlite() else "postgresql"


def _engine_label(engine: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine, engine)


def _pg_env() -> dict:
    params = db.obj.connect_params
    env = dict(os.environ, PGDATABASE=db.obj.database, PGCONNECT_TIMEOUT="10")
    for setting, name in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if params.get(setting) is not None:
            env[name] = str(params[setting])
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} no está instalado: instale el cliente de PostgreSQL "
                          "(paquete postgresql-client) de la misma versión que el servidor o posterior.") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{command[0]} falló: {lines[-1] if lines else done.returncode}")


def _table_counts(execute, tables) -> dict[str, int]:
    return {t: execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in sorted(tables)}  # noqa: S608


def _storage_names(execute, tables) -> list[str]:
    if "stored_file" not in tables:
        return []
    return sorted(row[0] for row in execute("SELECT storage_name FROM stored_file").fetchall())


# ----- create -----

@dataclass
class Created:
    path: Path
    size: int
    tables: dict
    files: int
    missing: list = field(default_factory=list)


def _sqlite_snapshot(work: Path) -> tuple[Path, dict, list]:
    source = Path(db.obj.database)
    if not source.exists():
        raise BackupError(f"No existe la base de datos {source}.")
    copy = work / "database.sqlite"
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(copy))
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one moment
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("La base de datos en uso no supera PRAGMA integrity_check: revísela antes de copiarla.")
        dst.execute("PRAGMA journal_mode=delete")  # one self-contained file
        tables = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts, names = _table_counts(dst.execute, tables), _storage_names(dst.execute, tables)
    finally:
        dst.close()
        src.close()
    packed = work / SQLITE_MEMBER
    with open(copy, "rb") as fh, _private_file(packed) as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
        shutil.copyfileobj(fh, out, CHUNK)
    copy.unlink()
    return packed, counts, names


def _pg_snapshot(work: Path) -> tuple[Path, dict, list]:
    dump = work / PG_MEMBER
    snap = PostgresqlDatabase(db.obj.database, **db.obj.connect_params)
    snap.connect()
    try:
        with snap.atomic():
            snap.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = snap.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
            tables = [r[0] for r in snap.execute_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
            counts, names = _table_counts(snap.execute_sql, tables), _storage_names(snap.execute_sql, tables)
            _run(["pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}"])
    finally:
        snap.close()
    os.chmod(dump, 0o600)
    return dump, counts, names


def _add(tar, name: str, fh, size: int, members: dict) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    reader = _Hashing(fh)
    tar.addfile(info, reader)
    members[name] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def create(output: Path | None = None) -> Created:
    """Take one encrypted backup into ``output`` (default: instance/backups) and return what it holds."""
    from core.migrate import runner

    output = Path(output) if output else _instance() / "backups"
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.now(UTC)
    target = output / f"traza-{now:%Y%m%d-%H%M%S}.backup"
    if target.exists():
        raise BackupError(f"{target} ya existe: espere un segundo y vuelva a intentarlo.")
    partial = output / f".{target.name}.part"
    field_cipher = crypto.keys.field
    members, missing = {}, []
    with _workdir() as work:
        with db.connection_context():
            applied = sorted(runner().applied())
        snapshot = _sqlite_snapshot if is_sqlite() else _pg_snapshot
        database, counts, names = snapshot(work)
        try:
            with _private_file(partial) as fh:
                sink = _SealedWriter(fh, field_cipher.primary, field_cipher.keys[field_cipher.primary])
                with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    with open(database, "rb") as db_fh:
                        _add(tar, database.name, db_fh, database.stat().st_size, members)
                    database.unlink()
                    for name in names:
                        try:
                            data = (_files_dir() / name).read_bytes()  # whole: a rotation may replace it meanwhile
                        except OSError:
                            missing.append(name)
                            continue
                        _add(tar, f"files/{name}", _BytesReader(data), len(data), members)
                    manifest = json.dumps({
                        "format": FORMAT, "created_at": now.isoformat(timespec="seconds"), "engine": _engine(),
                        "field_key_id": field_cipher.primary, "migrations": applied, "tables": counts,
                        "members": members, "missing_files": missing,
                    }, indent=1, sort_keys=True).encode()
                    _add(tar, MANIFEST, _BytesReader(manifest), len(manifest), {})
                sink.finish()
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Created(target, target.stat().st_size, counts, len(names) - len(missing), missing)


class _BytesReader:
    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at:end]
        self._at += len(chunk)
        return chunk


# ----- open and verify -----

def _allowed(name: str) -> bool:
    if name in (MANIFEST, SQLITE_MEMBER, PG_MEMBER):
        return True
    folder, _, leaf = name.partition("/")
    return folder == "files" and bool(FILE_NAME.fullmatch(leaf))


def open_archive(path: Path, work: Path) -> dict:
    """Decrypt and unpack ``path`` into ``work``; check every member against the manifest. Returns the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No existe el archivo {path}.")
    (work / "files").mkdir(mode=0o700)
    found = {}
    manifest = None
    with open(path, "rb") as fh:
        reader = _OpenedReader(fh)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    if manifest is not None or not member.isfile() or not _allowed(member.name) or member.name in found:
                        raise BackupError(TAMPERED)
                    source = _Hashing(tar.extractfile(member))
                    with _private_file(work / member.name) as out:
                        shutil.copyfileobj(source, out, CHUNK)
                    found[member.name] = {"sha256": source.sha256.hexdigest(), "size": source.size}
                    if member.name == MANIFEST:
                        manifest = json.loads((work / MANIFEST).read_text())
        except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise BackupError(TAMPERED) from exc
        reader.drain()
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(TAMPERED)
    found.pop(MANIFEST)
    if found != manifest.get("members"):
        raise BackupError(TAMPERED)
    if manifest["engine"] == "sqlite":
        _unpack_sqlite(work, manifest)
    return manifest


def _unpack_sqlite(work: Path, manifest: dict) -> None:
    plain = work / "database.sqlite"
    with gzip.open(work / SQLITE_MEMBER, "rb") as src, _private_file(plain) as out:
        shutil.copyfileobj(src, out, CHUNK)
    (work / SQLITE_MEMBER).unlink()
    con = sqlite3.connect(str(plain))
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = _table_counts(con.execute, tables)
    except sqlite3.DatabaseError:
        ok, counts = False, None
    finally:
        con.close()
    if not ok or counts != manifest["tables"]:
        raise BackupError("La base de datos de la copia no supera PRAGMA integrity_check: no se ha restaurado nada.")


def verify(path: Path) -> dict:
    with _workdir() as work:
        return open_archive(path, work)


# ----- restore -----

@dataclass
class Restored:
    manifest: dict
    files: int
    audit_broken: int | None
    bad_keys: list
    pending: list


def _stored_files_on_disk() -> list[Path]:
    folder = _files_dir()
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.is_file() and FILE_NAME.fullmatch(p.name)]


def has_data() -> bool:
    """Whether this instance's database or files folder holds anything someone put there."""
    if is_sqlite() and not Path(db.obj.database).exists():
        return bool(_stored_files_on_disk())
    with db.connection_context():
        tables = set(db.get_tables())
        for table in DATA_TABLES:
            if table in tables and db.execute_sql(f"SELECT 1 FROM {_quote(table)} LIMIT 1").fetchone():  # noqa: S608
                return True
    return bool(_stored_files_on_disk())


def _load_sqlite(work: Path) -> None:
    target = Path(db.obj.database)
    close_all()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not target.exists():
        _private_file(target).close()
    src = sqlite3.connect(str(work / "database.sqlite"))
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        src.backup(dst)  # SQLite's own way to replace a database's content, WAL included
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("La base restaurada no supera PRAGMA integrity_check.")
    finally:
        dst.close()
        src.close()


def _load_pg(work: Path) -> None:
    with db.connection_context():
        schema = db.execute_sql("SELECT current_schema()").fetchone()[0] or "public"
        if db.get_tables():  # migrated but unused (or --force): start from an empty schema
            with db.atomic():
                db.execute_sql(f"DROP SCHEMA {_quote(schema)} CASCADE")
                db.execute_sql(f"CREATE SCHEMA {_quote(schema)}")
    close_all()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--no-password",
          f"--dbname={db.obj.database}", str(work / PG_MEMBER)])


def _place_files(work: Path) -> int:
    folder = _files_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    placed = 0
    for source in sorted((work / "files").iterdir()):
        os.replace(source, folder / source.name)
        placed += 1
    return placed


def restore(path: Path, force: bool = False) -> Restored:
    from core import audit, keycheck
    from core.migrate import pending

    if not force and has_data():
        raise BackupError("Esta instancia ya tiene datos: la copia se restaura en una instancia nueva y vacía "
                          "(o repita con --force para reemplazarlos).")
    with _workdir() as work:
        manifest = open_archive(path, work)
        if manifest["engine"] != _engine():
            raise BackupError(f"La copia es de {_engine_label(manifest['engine'])} y DATABASE_URL apunta a "
                              f"{_engine_label(_engine())}: restáurela en el mismo motor.")
        (_load_sqlite if is_sqlite() else _load_pg)(work)
        placed = _place_files(work)
    with db.connection_context():
        counts = _table_counts(db.execute_sql, db.get_tables())
        if counts != manifest["tables"]:
            raise BackupError("Las filas restauradas no coinciden con el manifiesto de la copia.")
        broken, bad_keys = audit.verify_chain(), keycheck.mismatched()
        if broken is None and not bad_keys:
            audit.record("backup_restore", detail=f"{Path(path).name} creada {manifest['created_at']}; archivos={placed}")
        todo = pending()
    return Restored(manifest, placed, broken, bad_keys, todo)


# ----- command line -----

backup_cli = AppGroup("backup", help="Copias de seguridad cifradas.")


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 104_858 else f"{n / 1024:.0f} KB"


@backup_cli.command("create")
@click.option("--output", "-o", type=click.Path(file_okay=False), default=None,
              help="Carpeta donde dejar la copia (por defecto instance/backups).")
def create_command(output):
    """Crea una copia cifrada de la base de datos y de los archivos subidos."""
    from core import audit

    try:
        made = create(Path(output) if output else None)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for name in made.missing:
        click.echo(f"aviso: falta en disco el archivo {name} (registrado en la base); la copia sigue sin él.", err=True)
    try:
        with db.connection_context(), patient_writes(AUDIT_PATIENCE):
            audit.record("backup_create", detail=f"{made.path.name}; filas={sum(made.tables.values())}; archivos={made.files}")
    except OperationalError:
        made.path.unlink(missing_ok=True)  # a copy of everyone's data is never left behind unrecorded
        raise click.ClickException(
            f"La base de datos siguió ocupada {AUDIT_PATIENCE} s y la copia no pudo anotarse en el registro de "
            "auditoría, así que se borró. Vuelva a intentarlo cuando haya menos actividad.") from None
    click.echo(f"Copia creada: {made.path} ({_size(made.size)}; {sum(made.tables.values())} filas en "
               f"{len(made.tables)} tablas; {made.files} archivos).")
    click.echo("Llévela fuera de este equipo; las claves se guardan aparte, nunca junto a las copias.")


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(dir_okay=False))
def verify_command(archive):
    """Comprueba una copia sin restaurarla: descifrado, manifiesto SHA-256 e integridad de la base."""
    try:
        manifest = verify(Path(archive))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Copia íntegra: {_engine_label(manifest['engine'])}, creada {manifest['created_at']}, "
               f"{sum(manifest['tables'].values())} filas en {len(manifest['tables'])} tablas, "
               f"{sum(1 for m in manifest['members'] if m.startswith('files/'))} archivos.")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Reemplaza los datos que ya tenga esta instancia.")
def restore_command(archive, force):
    """Restaura una copia en esta instancia (nueva y vacía, salvo --force), con las mismas claves."""
    try:
        done = restore(Path(archive), force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    manifest = done.manifest
    click.echo(f"Restaurada la copia del {manifest['created_at']}: {sum(manifest['tables'].values())} filas, "
               f"{done.files} archivos.")
    if done.bad_keys:
        raise click.ClickException(f"Las claves configuradas no abren estos datos ({', '.join(done.bad_keys)}): "
                                   "configure las que estaban en uso cuando se creó la copia.")
    if done.audit_broken is not None:
        raise click.ClickException(f"La cadena de auditoría no verifica (evento {done.audit_broken}): "
                                   "¿es TRAZA_AUDIT_KEY la de la copia?")
    click.echo("Cadena de auditoría íntegra; las claves abren los datos.")
    if done.pending:
        click.echo(f"Migraciones pendientes ({len(done.pending)}): ejecute `flask db up` antes de abrir Traza.")
