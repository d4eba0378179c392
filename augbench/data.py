"""Registry of the data files shipped in ``data/``: names, checksums, provenance.

Every file the notebooks and tests read is listed in ``data/MANIFEST.csv`` with columns
``name, file, sha256, bytes, source, licence, citation``. :func:`path` resolves a name to a
verified path; nothing is ever downloaded.

Names are the file's path below ``data/`` without its extensions, e.g.
``"eeg/eegmmidb/S001/S001R04"`` or ``"grna/tables/cfd_mismatch_scores_doench2016"``; a unique
final component (``"S001R04"``) is accepted too.
"""
from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["DataFile", "data_dir", "manifest", "path", "verify", "verify_all", "DataError"]


class DataError(RuntimeError):
    """A shipped data file is missing, unknown or corrupt."""


@dataclass(frozen=True)
class DataFile:
    name: str
    file: str
    sha256: str
    bytes: int
    source: str
    licence: str
    citation: str


def data_dir() -> Path:
    """The data folder: ``$AUGBENCH_DATA`` if set, else ``data/`` at the project root."""
    env = os.environ.get("AUGBENCH_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


def _name_of(rel: str) -> str:
    p = Path(rel)
    name = p.name.split(".")[0]
    return str(p.parent / name) if str(p.parent) != "." else name


@lru_cache(maxsize=4)
def _read_manifest(root: str) -> dict[str, DataFile]:
    mf = Path(root) / "MANIFEST.csv"
    if not mf.exists():
        raise DataError(f"data manifest {mf} not found; is AUGBENCH_DATA pointing at the project's data/ folder?")
    with open(mf, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        out[r["name"]] = DataFile(r["name"], r["file"], r["sha256"], int(r["bytes"]), r["source"],
                                  r["licence"], r["citation"])
    return out


def manifest() -> dict[str, DataFile]:
    """All registered files, keyed by name."""
    return dict(_read_manifest(str(data_dir())))


def _lookup(name: str) -> DataFile:
    mf = _read_manifest(str(data_dir()))
    if name in mf:
        return mf[name]
    hits = [v for k, v in mf.items() if k.split("/")[-1] == name or v.file == name]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise DataError(f"data name {name!r} is ambiguous: {', '.join(h.name for h in hits)}")
    import difflib
    close = difflib.get_close_matches(name, list(mf) + [k.split('/')[-1] for k in mf], n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise DataError(f"no shipped data file named {name!r}{hint} (see data/MANIFEST.csv)")


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=512)
def _verified(p: str, size: int, mtime: float, sha: str) -> bool:
    return _sha256(Path(p)) == sha


def verify(name: str) -> Path:
    """Check one file's presence and sha256; return its path or raise :class:`DataError`."""
    entry = _lookup(name)
    p = data_dir() / entry.file
    if not p.exists():
        raise DataError(f"data file {entry.file!r} ({entry.name}) is missing from {data_dir()}")
    st = p.stat()
    if not _verified(str(p), st.st_size, st.st_mtime, entry.sha256):
        raise DataError(f"data file {entry.file!r} is corrupt: sha256 differs from MANIFEST.csv "
                        f"(expected {entry.sha256[:12]}…); restore it from git")
    return p


def path(name: str) -> Path:
    """Resolve a registered data name to a verified local path."""
    return verify(name)


def verify_all() -> list[tuple[str, str]]:
    """Verify every registered file; return a list of ``(name, problem)`` (empty if all good)."""
    bad = []
    for name in manifest():
        try:
            verify(name)
        except DataError as exc:
            bad.append((name, str(exc)))
    return bad


_SOURCES = {
    "eeg/": ("PhysioNet EEG Motor Movement/Imagery Dataset v1.0.0 (eegmmidb); see eeg/eegmmidb/PROVENANCE.md",
             "ODC-By 1.0",
             "Schalk et al. 2004 IEEE TBME 51:1034; Goldberger et al. 2000 Circulation 101:e215"),
    "genomes/ecoli": ("NCBI RefSeq NC_000913.3 (GCF_000005845.2); see genomes/PROVENANCE.md", "public domain (NCBI)",
                      "Blattner et al. 1997 Science 277:1453"),
    "genomes/": ("CRISPResso2 test data (pinellolab/CRISPResso2); see genomes/PROVENANCE.md",
                 "see source repository", "Clement et al. 2019 Nat Biotechnol 37:224"),
    "grna/ontarget/doench": ("MicrosoftResearch/Azimuth @ 84eb013; see grna/ontarget/PROVENANCE.md", "BSD-3-Clause (Azimuth)",
                             "Doench et al. 2014 Nat Biotechnol 32:1262; Doench et al. 2016 Nat Biotechnol 34:184"),
    "grna/": ("maximilianh/crisporPaper @ 33a8225; see the folder's PROVENANCE.md", "see source repository",
              "Haeussler et al. 2016 Genome Biol 17:148"),
    "kinetics/crisprzip": ("crisprzip 1.2.3 (PyPI, MIT); see kinetics/PROVENANCE.md", "MIT",
                           "Eslami-Mossallam et al. 2022 Nat Commun doi:10.1038/s41467-022-28994-2"),
    "kinetics/bae": ("crisporPaper effData + re-implementation; see kinetics/PROVENANCE.md", "see source repository",
                     "Bae et al. 2014 Nat Methods 11:705; Haeussler et al. 2016 Genome Biol 17:148"),
    "kinetics/": ("literature values; see kinetics/PROVENANCE.md", "facts with citations",
                  "see the file's source column"),
    "models/": ("trained by augbench (see the file's PROVENANCE.md)", "same as augbench", "this project"),
}


def write_manifest(root: Path | None = None) -> Path:
    """(Maintainers) rebuild ``MANIFEST.csv`` from the files under ``root``; prints nothing, returns its path."""
    root = Path(root or data_dir())
    rows = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name in ("MANIFEST.csv",) or p.name.endswith(".md"):
            continue
        rel = p.relative_to(root).as_posix()
        src = next((v for k, v in _SOURCES.items() if rel.startswith(k)), ("see PROVENANCE.md", "", ""))
        rows.append({"name": _name_of(rel), "file": rel, "sha256": _sha256(p), "bytes": p.stat().st_size,
                     "source": src[0], "licence": src[1], "citation": src[2]})
    names = [r["name"] for r in rows]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise DataError(f"duplicate data names {sorted(dup)}")
    out = root / "MANIFEST.csv"
    tmp = out.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out)
    _read_manifest.cache_clear()
    return out
