"""Guide designer: one pure pipeline (:func:`design_guides`) and its state object (:class:`GuideDesigner`).

Pipeline: validate DNA -> find sites of the nuclease -> on-target scores (Rule Set 1 and our CNN, SpCas9
only) -> optional exact off-target search in a genome (counts by mismatch number, CFD/MIT specificity)
-> filters -> ranking.

Ranking (documented, not tuned): for SpCas9, ``rank_score = cnn_rank * (cfd_specificity / 100)`` where
``cnn_rank`` is the CNN score's percentile among the sites of this input (so the ranking reads "cuts well
*and* nowhere else"); without an off-target genome the specificity factor is 1. For other nucleases no
on-target model is defined: sites are ranked by fewest off-targets, then by GC closest to 50 %.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import param

from augbench._validate import check_int, check_range
from augbench.grna.nucleases import get_nuclease, list_nucleases
from augbench.grna.sequence import LOCI, as_records

__all__ = ["design_guides", "GuideDesigner", "GENOMES", "summary_text"]

#: Genomes the designer can search for off-targets (shipped data only; a user path works in the API).
GENOMES = {"none": None, "ecoli_K12": "ecoli_K12", "HEK3_FANCF_smallgenome": "HEK3_FANCF_smallgenome"}


def design_guides(seq, nuclease="SpCas9", *, genome=None, max_mismatches: int = 3, gc_range=(0.0, 1.0),
                  exclude_poly_t: bool = False, strands: str = "both", name: str = "sequence",
                  max_offtarget_guides: int | None = None, return_hits: bool = False):
    """Ranked guide table for a DNA input.

    Parameters
    ----------
    seq : str, Record(s), FASTA text/path or shipped locus name
    nuclease : str or Nuclease
    genome : None, shipped genome name (``"ecoli_K12"``) or FASTA path
        Where to count off-targets (None: skip the search).
    max_mismatches : int
        Off-target search depth, 0-4.
    gc_range : (float, float)
        Keep spacers with GC fraction in this closed interval.
    exclude_poly_t : bool
        Drop spacers containing TTTT (terminates Pol III / U6 transcription).
    max_offtarget_guides : int, optional
        Search off-targets only for this many guides, the best by on-target score (CNN; GC closest to
        50 % for nucleases without a model); the others get NaN counts. None: all guides.

    Returns
    -------
    pandas.DataFrame
        The :func:`~augbench.grna.sites.find_sites` columns plus ``rs1``, ``cnn`` (NaN where undefined),
        ``n_mm0`` ... ``n_mm{k}``, ``mit_specificity``, ``cfd_specificity`` (when a genome is given;
        NaN plus a ``specificity_note`` column for nucleases other than SpCas9),
        ``rank_score`` and ``rank`` (1 = best).
    hits : pandas.DataFrame or None
        Only with ``return_hits=True``: the off-target hit table
        (:data:`~augbench.grna.offtarget.HIT_COLUMNS`; ``guide_index`` = row of the ranked table).
    """
    from augbench.grna.ontarget import score_sites
    from augbench.grna.sites import find_sites

    nuc = get_nuclease(nuclease)
    kmax = check_int("max_mismatches", max_mismatches, 0, 4)
    lo, hi = gc_range
    check_range("gc_range[0]", lo, 0, 1)
    check_range("gc_range[1]", hi, 0, 1)
    sites = find_sites(seq, nuc, strands=strands, name=name)
    df = score_sites(sites)
    keep = (df["gc"] >= lo - 1e-12) & (df["gc"] <= hi + 1e-12)
    if exclude_poly_t:
        keep &= ~df["poly_t"]
    df = df[keep].reset_index(drop=True)
    hits = None
    if genome is not None and len(df):
        from augbench.grna.offtarget import search_offtargets, summarize_offtargets

        if max_offtarget_guides is not None and len(df) > max_offtarget_guides:
            key = df["cnn"].fillna(-1.0) if nuc.rs1_defined else -(df["gc"] - 0.5).abs()
            sel = np.sort(np.argsort(-key.to_numpy(), kind="stable")[:max_offtarget_guides])
        else:
            sel = np.arange(len(df))
        guides = df["spacer"].to_numpy()[sel].tolist()
        hits = search_offtargets(guides, genome, nuc, max_mismatches=kmax)
        summ = summarize_offtargets(hits, guides, max_mismatches=kmax).drop(columns="guide")
        summ.index = sel
        hits["guide_index"] = sel[hits["guide_index"].to_numpy()] if len(hits) else hits["guide_index"]
        df = df.join(summ)
        if not nuc.cfd_defined:
            df["specificity_note"] = f"CFD/MIT are defined for SpCas9 (NGG) only, not {nuc.name}"
    if nuc.rs1_defined and len(df):
        pct = df["cnn"].rank(pct=True).fillna(0.0)
        spec = df["cfd_specificity"].fillna(0.0) / 100.0 if "cfd_specificity" in df else 1.0  # unsearched: last
        df["rank_score"] = pct * spec
        df = df.sort_values(["rank_score", "start"], ascending=[False, True], kind="stable")
    else:
        df["rank_score"] = np.nan
        keys = (["n_offtargets"] if "n_offtargets" in df else []) + ["_gcdev", "start"]
        df["_gcdev"] = (df["gc"] - 0.5).abs()
        df = df.sort_values(keys, kind="stable").drop(columns="_gcdev")
    if hits is not None and len(hits):  # guide_index -> row of the ranked table
        new_pos = pd.Series(np.arange(len(df)), index=df.index)
        hits["guide_index"] = new_pos.loc[hits["guide_index"].to_numpy()].to_numpy()
    df = df.reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    df.attrs.update(sites.attrs)
    df.attrs["n_sites_total"] = len(sites)
    return (df, hits) if return_hits else df


def summary_text(df: pd.DataFrame) -> str:
    """One-line summary: 'N sites (n+ on +, n- on −) ...; top guide ...'."""
    n = len(df)
    nplus = int((df["strand"] == "+").sum()) if n else 0
    nuc = df.attrs.get("nuclease", "?")
    txt = f"{n} {nuc} sites ({nplus} on +, {n - nplus} on −)"
    if n:
        top = df.iloc[0]
        txt += f"; top guide {top['spacer']} {top['pam']} at {top['record']}:{top['start']}-{top['end']} ({top['strand']})"
        if np.isfinite(top.get("rs1", np.nan)):
            txt += f", Rule Set 1 {top['rs1']:.2f}, CNN {top['cnn']:.2f}"
        if "cfd_specificity" in df and np.isfinite(top.get("cfd_specificity", np.nan)):
            txt += f", CFD specificity {top['cfd_specificity']:.0f}, MIT specificity {top['mit_specificity']:.0f}"
        elif "n_offtargets" in df:
            txt += f", {int(top['n_offtargets'])} off-targets (CFD/MIT not defined for {nuc})"
    return txt


_DEPS = ("locus", "sequence", "nuclease", "custom_pam", "custom_spacer_len", "custom_pam_side", "genome",
         "max_mismatches", "gc_min", "gc_max", "exclude_poly_t", "strands", "max_offtarget_guides")


class GuideDesigner(param.Parameterized):
    """State of the guide designer (one source of truth for the notebook widgets and the Panel app)."""

    locus = param.Selector(default="EMX1", objects=["custom", *LOCI.keys()],
                           doc="Shipped locus to design against ('custom' uses the sequence box)")
    sequence = param.String(default="", doc="DNA or FASTA text (used when locus == 'custom')")
    nuclease = param.Selector(default="SpCas9", objects=[*list_nucleases(), "custom"],
                              doc="Nuclease (PAM, spacer length, cut); 'custom' uses the custom_* fields")
    custom_pam = param.String(default="NGG", doc="IUPAC PAM of the custom nuclease")
    custom_spacer_len = param.Integer(default=20, bounds=(10, 32), doc="Spacer length of the custom nuclease (nt)")
    custom_pam_side = param.Selector(default="3prime", objects=["3prime", "5prime"], doc="PAM side of the custom nuclease")
    genome = param.Selector(default="none", objects=list(GENOMES), doc="Genome searched for off-targets")
    max_mismatches = param.Integer(default=3, bounds=(0, 4), doc="Off-target mismatches searched (0-4)")
    gc_min = param.Number(default=0.0, bounds=(0, 1), doc="Minimum spacer GC fraction")
    gc_max = param.Number(default=1.0, bounds=(0, 1), doc="Maximum spacer GC fraction")
    exclude_poly_t = param.Boolean(default=False, doc="Drop spacers with TTTT (U6 terminator)")
    strands = param.Selector(default="both", objects=["both", "+", "-"], doc="Strands searched")
    max_offtarget_guides = param.Integer(default=500, bounds=(1, None),
                                         doc="Off-targets are searched for this many guides (best on-target first)")
    error = param.String(default="", doc="Last input error (read-only)")

    def nuclease_obj(self):
        """The current :class:`~augbench.grna.nucleases.Nuclease` (custom one built from the custom_* fields)."""
        from augbench.grna.nucleases import custom_nuclease

        if self.nuclease == "custom":
            return custom_nuclease("custom", self.custom_pam, spacer_len=self.custom_spacer_len,
                                   pam_side=self.custom_pam_side)
        return get_nuclease(self.nuclease)

    def _input(self):
        if self.locus == "custom":
            return self.sequence if self.sequence.strip() else ""
        if self.locus == "ecoli_K12":  # whole genome is too much for an interactive table: first 5 kb
            from augbench.grna.sequence import load_locus

            rec = load_locus("ecoli_K12")
            return as_records(rec.seq[:5000], name="NC_000913.3:0-5000")
        return self.locus

    @param.depends(*_DEPS)
    def table(self) -> pd.DataFrame:
        """The ranked guide table for the current parameters (empty table + ``error`` on bad input)."""
        key = tuple(getattr(self, k) for k in _DEPS)
        if getattr(self, "_memo", (None,))[0] == key:
            return self._memo[1]
        df, hits = self._compute()
        self._memo = (key, df)
        self._hits = hits
        return df

    def hits(self):
        """Off-target hits of the current table (None without a genome)."""
        self.table()
        return self._hits

    def _compute(self) -> pd.DataFrame:
        try:
            data = self._input()
            nuc = self.nuclease_obj()
            df = design_guides(data, nuc, genome=GENOMES[self.genome],
                               max_mismatches=self.max_mismatches, gc_range=(self.gc_min, self.gc_max),
                               exclude_poly_t=self.exclude_poly_t, strands=self.strands,
                               max_offtarget_guides=self.max_offtarget_guides, return_hits=True)
            self.error = ""
            return df
        except (ValueError, TypeError) as exc:
            self.error = str(exc)
            from augbench.grna.sites import SITE_COLUMNS

            out = pd.DataFrame(columns=list(SITE_COLUMNS))
            out.attrs["nuclease"] = self.nuclease
            return out, None

    @param.depends("table")
    def summary(self) -> str:
        df = self.table()
        return f"Error: {self.error}" if self.error else summary_text(df)
