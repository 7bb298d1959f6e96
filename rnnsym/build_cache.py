"""Incremental builds: skip a report whose inputs have not changed.

The key hashes everything a report depends on: the parameter file's bytes,
the package version, every source file of rnnsym and derivations, every
template and translation catalog, and whether torch is installed (it decides whether the torch
checks run). Only the standard library is imported here, so a no-op
rebuild does not pay for importing SymPy, matplotlib or PyLaTeX.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

from rnnsym import __version__

CACHE_NAME = ".rnnsym-build.json"
PACKAGE = Path(__file__).resolve().parent


def _source_files() -> list[Path]:
    roots = [PACKAGE, PACKAGE.parent / "derivations", PACKAGE / "templates"]
    files = []
    for root in roots:
        # .po: a changed translation rebuilds the Persian edition.
        files += [p for p in root.rglob("*") if p.suffix in (".py", ".j2", ".js", ".css", ".po")
                  and "__pycache__" not in p.parts]
    return sorted(set(files))


def build_key(params_file: Path | None) -> str:
    """The hash of every input of a report."""
    digest = hashlib.sha256()
    digest.update(f"rnnsym {__version__}\n".encode())
    digest.update(f"torch {importlib.util.find_spec('torch') is not None}\n".encode())
    digest.update(Path(params_file).read_bytes() if params_file is not None else b"<default variant>")
    for path in _source_files():
        digest.update(str(path.relative_to(PACKAGE.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def with_option(key: str, name: str, value: str) -> str:
    """The key of a build that a command-line option (``--language fa``) changes."""
    return hashlib.sha256(f"{key}\0{name}={value}".encode()).hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def up_to_date(out_dir: Path, key: str) -> bool:
    """True when ``out_dir`` holds the outputs of a build with this key, unchanged."""
    try:
        record = json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
        return record["key"] == key and all(
            _file_hash(out_dir / name) == digest for name, digest in record["outputs"].items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def record(out_dir: Path, key: str, outputs: dict[str, Path]) -> None:
    """Remembers the key and the outputs' hashes (written atomically)."""
    data = {"key": key, "outputs": {name: _file_hash(path) for name, path in outputs.items()}}
    partial = out_dir / (CACHE_NAME + ".partial")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, out_dir / CACHE_NAME)
