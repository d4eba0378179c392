"""CRISPR nucleases as data: PAM, PAM side, spacer length and cut offsets.

The shipped nucleases live in ``augbench/grna/params/nucleases.csv`` (sources in its header);
:func:`custom_nuclease` builds a user-defined one from an IUPAC PAM. Nothing here is specific code
per enzyme: the site finder and the off-target search read these fields only.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from augbench._validate import check_int, check_option

__all__ = ["Nuclease", "get_nuclease", "list_nucleases", "custom_nuclease", "IUPAC", "pam_mask"]

#: IUPAC nucleotide codes -> the bases they stand for.
IUPAC = {"A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT",
         "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT"}

_PARAMS = Path(__file__).resolve().parent / "params" / "nucleases.csv"


@dataclass(frozen=True)
class Nuclease:
    """A CRISPR nuclease described by data.

    Attributes
    ----------
    name : str
    pam : str
        IUPAC PAM, 5'->3' on the protospacer strand.
    pam_side : {"3prime", "5prime"}
        PAM after the spacer (Cas9) or before it (Cas12a).
    spacer_len : int
        Protospacer length in nt.
    cut_offset, cut_offset_complement : int
        Break on the spacer strand / complementary strand, in nt from the spacer's 5' end.
    alt_pams : tuple of str
        Weaker PAMs also searched for off-targets.
    context_5, context_3 : int
        Flanking nt 5'/3' of the protospacer+PAM block in the on-target context sequence.
    cfd_defined, rs1_defined : bool
        Whether CFD (Doench 2016) and Rule Set 1 (Doench 2014) apply (SpCas9 NGG only).
    """

    name: str
    pam: str
    pam_side: str = "3prime"
    spacer_len: int = 20
    cut_offset: int = 17
    cut_offset_complement: int = 17
    alt_pams: tuple = field(default_factory=tuple)
    context_5: int = 4
    context_3: int = 3
    cfd_defined: bool = False
    rs1_defined: bool = False
    description: str = ""

    @property
    def site_len(self) -> int:
        """Protospacer + PAM length."""
        return self.spacer_len + len(self.pam)

    @property
    def context_len(self) -> int:
        return self.context_5 + self.site_len + self.context_3

    @property
    def staggered(self) -> bool:
        return self.cut_offset != self.cut_offset_complement


def _check_pam(pam: str, what: str = "pam") -> str:
    if not isinstance(pam, str) or not pam:
        raise ValueError(f"{what}={pam!r} must be a non-empty IUPAC string")
    p = pam.upper()
    for i, ch in enumerate(p):
        if ch not in IUPAC:
            raise ValueError(f"{what}={pam!r}: {ch!r} at position {i} is not an IUPAC code; "
                             f"expected one of {''.join(IUPAC)}")
    return p


def custom_nuclease(name: str = "custom", pam: str = "NGG", *, spacer_len: int = 20,
                    pam_side: str = "3prime", cut_offset: int | None = None,
                    cut_offset_complement: int | None = None, alt_pams=(), description: str = "") -> Nuclease:
    """Build a user-defined nuclease from an IUPAC PAM, spacer length, PAM side and cut offsets.

    Defaults for the cut offsets: 3 nt from the PAM (``spacer_len - 3``) for 3' PAMs, blunt;
    ``spacer_len - 5`` and ``spacer_len`` (Cas12a-like stagger) for 5' PAMs.
    """
    pam = _check_pam(pam)
    check_option("pam_side", pam_side, ["3prime", "5prime"])
    spacer_len = check_int("spacer_len", spacer_len, 10, 40)
    if cut_offset is None:
        cut_offset = spacer_len - 3 if pam_side == "3prime" else spacer_len - 5
    if cut_offset_complement is None:
        cut_offset_complement = cut_offset if pam_side == "3prime" else spacer_len
    cut_offset = check_int("cut_offset", cut_offset, -10, spacer_len + 10)
    cut_offset_complement = check_int("cut_offset_complement", cut_offset_complement, -10, spacer_len + 10)
    alt = tuple(_check_pam(a, "alt_pams") for a in alt_pams if a)
    for a in alt:
        if len(a) != len(pam):
            raise ValueError(f"alt_pams: {a!r} has length {len(a)}, the main PAM {pam!r} has {len(pam)}")
    return Nuclease(name=name, pam=pam, pam_side=pam_side, spacer_len=spacer_len, cut_offset=cut_offset,
                    cut_offset_complement=cut_offset_complement, alt_pams=alt,
                    cfd_defined=False, rs1_defined=False, description=description or "user-defined")


@lru_cache(maxsize=1)
def _shipped() -> dict:
    rows = [ln for ln in _PARAMS.read_text().splitlines() if ln and not ln.startswith("#")]
    out = {}
    for r in csv.DictReader(rows):
        out[r["name"]] = Nuclease(
            name=r["name"], pam=r["pam"], pam_side=r["pam_side"], spacer_len=int(r["spacer_len"]),
            cut_offset=int(r["cut_offset"]), cut_offset_complement=int(r["cut_offset_complement"]),
            alt_pams=tuple(a for a in r["alt_pams"].split(";") if a), context_5=int(r["context_5"]),
            context_3=int(r["context_3"]), cfd_defined=r["cfd_defined"] == "True",
            rs1_defined=r["rs1_defined"] == "True", description=r["description"])
    return out


def list_nucleases() -> list[str]:
    """Names of the shipped nucleases."""
    return list(_shipped())


def get_nuclease(nuclease: "str | Nuclease") -> Nuclease:
    """Return a shipped :class:`Nuclease` by name (a Nuclease passes through)."""
    if isinstance(nuclease, Nuclease):
        return nuclease
    check_option("nuclease", nuclease, list_nucleases())
    return _shipped()[nuclease]


def nuclease_table():
    """The shipped nucleases as a pandas DataFrame (one row each)."""
    import pandas as pd

    return pd.DataFrame([{**n.__dict__, "alt_pams": ";".join(n.alt_pams)} for n in _shipped().values()])


def pam_mask(pam: str) -> np.ndarray:
    """Boolean table ``mask[k, code]``: PAM position ``k`` accepts base code (A=0, C=1, G=2, T=3; N=4 never)."""
    pam = _check_pam(pam)
    m = np.zeros((len(pam), 5), dtype=bool)
    for k, ch in enumerate(pam):
        for b in IUPAC[ch]:
            m[k, "ACGT".index(b)] = True
    return m
