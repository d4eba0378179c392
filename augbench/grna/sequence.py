"""DNA input for gRNA design: validation, reverse complement, FASTA reading and shipped loci.

Conventions (STYLE.md): coordinates are 0-based, half-open ``[start, end)`` on the ``+`` strand of
the record; sequences are upper-cased for the search, and the number of soft-masked (lower-case)
bases is kept so it can be reported. Allowed characters are ``A C G T N`` in either case; ``U``
(RNA) and any other character are refused with an error naming the record, the 0-based position and
the character. Pure Python + numpy; no GUI imports.
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Record", "clean_sequence", "reverse_complement", "read_fasta", "iter_fasta", "parse_fasta_text",
           "as_records", "load_locus", "LOCI", "encode", "CODE"]

_COMP = str.maketrans("ACGTNRYKMSWBDHVacgtnrykmswbdhv", "TGCANYRMKSWVHDBtgcanyrmkswvhdb")
_ALLOWED = frozenset("ACGTNacgtn")

#: 2-bit codes (A=0, C=1, G=2, T=3) and 4 for N, indexed by byte value.
CODE = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate("ACGT"):
    CODE[ord(_b)] = _i
    CODE[ord(_b.lower())] = _i
CODE[ord("N")] = CODE[ord("n")] = 4


@dataclass
class Record:
    """One validated DNA sequence.

    Attributes
    ----------
    name : str
        Record name (first word of the FASTA header, or the name given).
    seq : str
        Upper-case sequence over ``ACGTN``.
    description : str
        Rest of the FASTA header line.
    n_soft_masked : int
        Number of lower-case (soft-masked) bases in the input.
    n_unknown : int
        Number of ``N`` bases (no site may contain one).
    circular : bool
        Whether the molecule is circular (off-target search wraps around the origin).
    """

    name: str
    seq: str
    description: str = ""
    n_soft_masked: int = 0
    n_unknown: int = 0
    circular: bool = False
    soft_mask: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.seq)


def reverse_complement(seq: str) -> str:
    """Reverse complement of a DNA string (IUPAC codes and case preserved).

    Examples
    --------
    >>> reverse_complement("AACGTN")
    'NACGTT'
    """
    return seq.translate(_COMP)[::-1]


def _bad_char_error(name: str, seq: str) -> ValueError:
    for i, ch in enumerate(seq):
        if ch not in _ALLOWED:
            if ch in "Uu":
                return ValueError(
                    f"record {name!r}: 'U' at position {i} (0-based) looks like RNA; give the DNA target "
                    f"sequence (T instead of U)")
            return ValueError(f"record {name!r}: invalid character {ch!r} at position {i} (0-based); "
                              f"expected one of A, C, G, T, N (upper or lower case)")
    return ValueError(f"record {name!r}: invalid sequence")  # pragma: no cover


def clean_sequence(seq: str, name: str = "sequence", *, circular: bool = False,
                   description: str = "") -> Record:
    """Validate one DNA sequence and return a :class:`Record`.

    Whitespace and digits (GenBank-style numbering) are NOT accepted silently except line breaks,
    spaces and tabs, which are removed.

    Parameters
    ----------
    seq : str
        DNA over ``ACGTN`` (either case). Lower case marks soft-masked bases: accepted and counted.
    name : str
        Record name, used in error messages.

    Raises
    ------
    ValueError
        On empty input, RNA (``U``) or any other character (naming record, position, character).
    """
    if not isinstance(seq, str):
        raise TypeError(f"record {name!r}: sequence must be a str, got {type(seq).__name__}")
    s = "".join(seq.split())
    if not s:
        raise ValueError(f"record {name!r}: empty sequence; paste DNA (A, C, G, T, N) or give a FASTA file")
    b = s.encode("ascii", errors="replace")
    arr = np.frombuffer(b, dtype=np.uint8)
    codes = CODE[arr]
    if (codes == 255).any() or len(b) != len(s):
        raise _bad_char_error(name, s)
    lower = arr >= 97
    up = s.upper()
    return Record(name=name, seq=up, description=description, n_soft_masked=int(lower.sum()),
                  n_unknown=int((codes == 4).sum()), circular=circular,
                  soft_mask=lower if lower.any() else None)


def _iter_fasta_lines(lines, *, where: str, circular: bool = False):
    """Yield validated records from FASTA lines; errors start with ``where`` (e.g. ``"FASTA"`` or a path)."""
    name, desc, chunks, n_rec = None, "", [], 0
    for lineno, line in enumerate(lines, 1):
        if line.startswith(">"):
            if name is not None:
                n_rec += 1
                yield clean_sequence("".join(chunks), name, circular=circular, description=desc)
            parts = line[1:].strip().split(None, 1)
            name = parts[0] if parts else f"record{n_rec + 1}"
            desc = parts[1] if len(parts) > 1 else ""
            chunks = []
        elif line.strip():
            if name is None:
                raise ValueError(f"{where} line {lineno}: sequence before the first '>' header")
            chunks.append(line.strip())
    if name is not None:
        n_rec += 1
        yield clean_sequence("".join(chunks), name, circular=circular, description=desc)
    if n_rec == 0:
        raise ValueError(f"{where} input has no records (no line starting with '>')")


def parse_fasta_text(text: str, *, circular: bool = False) -> list[Record]:
    """Parse FASTA text (one or many records) into validated records."""
    return list(_iter_fasta_lines(text.splitlines(), where="FASTA", circular=circular))


def read_fasta(path: str | os.PathLike, *, circular: bool = False) -> list[Record]:
    """Read a FASTA file, plain or gzip-compressed (detected from the magic bytes), one or many records.

    Parameters
    ----------
    path : path-like
        File to read.
    circular : bool
        Mark every record as circular (e.g. a bacterial chromosome or plasmid).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"FASTA file {str(p)!r} not found")
    with open(p, "rb") as fh:
        raw = fh.read()
    return parse_fasta_bytes(raw, source=str(p), circular=circular)


def iter_fasta(path: str | os.PathLike, *, circular: bool = False):
    """Yield the records of a FASTA file (plain or gzip) one at a time, so a whole genome (e.g. hg19,
    3 GB) never has to be in memory at once; each record is validated like :func:`clean_sequence`."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"FASTA file {str(p)!r} not found")
    with open(p, "rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(p, "rt", encoding="ascii", errors="replace") as fh:
        yield from _iter_fasta_lines(fh, where=f"{p}: FASTA", circular=circular)


def parse_fasta_bytes(raw: bytes, *, source: str = "upload", circular: bool = False) -> list[Record]:
    """Parse FASTA bytes (plain or gzip), e.g. from an upload widget."""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not a text FASTA file (non-ASCII byte at offset {exc.start})") from None
    try:
        return parse_fasta_text(text, circular=circular)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def as_records(data, name: str = "sequence", *, circular: bool = False) -> list[Record]:
    """Turn user input into records: a :class:`Record`, list of them, FASTA text, a plain sequence
    string, a FASTA path (plain or gzip) or the name of a shipped locus (see :data:`LOCI`)."""
    if isinstance(data, Record):
        return [data]
    if isinstance(data, (list, tuple)) and all(isinstance(r, Record) for r in data):
        if not data:
            raise ValueError("empty list of records")
        return list(data)
    if isinstance(data, bytes):
        return parse_fasta_bytes(data, circular=circular)
    if isinstance(data, os.PathLike):
        return read_fasta(data, circular=circular)
    if isinstance(data, str):
        s = data.strip()
        if s.startswith(">"):
            return parse_fasta_text(s, circular=circular)
        if s in LOCI:
            loc = load_locus(s)
            return list(loc) if isinstance(loc, list) else [loc]
        if len(s) < 4096 and ("/" in s or s.endswith((".fa", ".fasta", ".fna", ".gz"))) and Path(s).exists():
            return read_fasta(s, circular=circular)
        return [clean_sequence(s, name, circular=circular)]
    raise TypeError(f"cannot read DNA from a {type(data).__name__}; give a str, FASTA path or Record")


#: Named shipped loci: name -> (data name, record name or None, circular, description).
LOCI = {
    "EMX1": ("genomes/human_loci_amplicons", "EMX1_amplicon", False,
             "Human EMX1 amplicon (238 bp; EMX1 site 1 of Hsu 2013 / Tsai 2015)"),
    "FANCF": ("genomes/human_loci_amplicons", "FANC_amplicon", False,
              "Human FANCF amplicon (223 bp; FANCF site 1, Tsai 2015)"),
    "HEK3": ("genomes/human_loci_amplicons", "HEK3_amplicon", False,
             "Human HEK293 site 3 amplicon (232 bp)"),
    "HEK3_FANCF_smallgenome": ("genomes/human_hg38_smallGenome_HEK3_FANCF", None, False,
                               "Two human excerpts (chr9 2160 bp with HEK3, chr11 2300 bp with FANCF)"),
    "ecoli_K12": ("genomes/ecoli_k12_mg1655_NC_000913", None, True,
                  "E. coli K-12 MG1655 chromosome NC_000913.3 (4.64 Mb, circular)"),
}


def load_locus(name: str) -> Record | list[Record]:
    """Load a named shipped locus (see :data:`LOCI`): one record, or a list for multi-record sets."""
    from augbench._validate import check_option
    from augbench.data import path as data_path

    check_option("locus", name, list(LOCI))
    data_name, rec_name, circ, _ = LOCI[name]
    recs = _read_cached(str(data_path(data_name)), circ)
    if rec_name is None:
        return recs[0] if len(recs) == 1 else list(recs)
    return next(r for r in recs if r.name == rec_name)


_CACHE: dict = {}


def _read_cached(p: str, circular: bool) -> list[Record]:
    key = (p, circular)
    if key not in _CACHE:
        _CACHE[key] = read_fasta(p, circular=circular)
    return _CACHE[key]


def encode(seq: str) -> np.ndarray:
    """2-bit codes of an (upper-case, validated) sequence: A=0, C=1, G=2, T=3, N=4; uint8, shape (n,)."""
    return CODE[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]


def locus_table() -> "pd.DataFrame":  # noqa: F821
    """Table of the named loci: name, description, circular."""
    import pandas as pd

    return pd.DataFrame([{"locus": k, "description": v[3], "circular": v[2]} for k, v in LOCI.items()])


