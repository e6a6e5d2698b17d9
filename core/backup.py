"""Backup and restore of the whole database: pg_dump / pg_restore, or SQLite's backup API.

A backup is a complete copy (every patient, intake, screening, session and the audit log); a
restore goes into an empty database, so it never mixes two clinics' data.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(RuntimeError):
    pass


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    return args


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def backup(output: Path, *, using: str = "default") -> Path:
    """Write a backup of database `using` to `output`."""
    connection = connections[using]
    settings_dict = connection.settings_dict
    output.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                *_pg_args(settings_dict),
                "-f",
                str(output),
                settings_dict["NAME"],
            ],
            _pg_env(settings_dict),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(output) as target:
            connection.connection.backup(target)
        target.close()
    else:
        raise BackupError(f"No backup method for {connection.vendor}")
    return output


def restore_postgres(source: Path, *, database: str, settings_dict: dict) -> None:
    """Restore a pg_dump file into `database`, which must exist and be empty."""
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            *_pg_args(settings_dict),
            "-d",
            database,
            str(source),
        ],
        _pg_env(settings_dict),
    )


def restore_sqlite(source: Path, *, target: Path) -> None:
    """Restore a SQLite backup into the file `target`, which must not hold data yet."""
    with sqlite3.connect(source) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The backup file is damaged.")
    check.close()
    if target.exists() and target.stat().st_size > 0:
        raise BackupError(f"{target} already holds a database; restore into an empty one.")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
