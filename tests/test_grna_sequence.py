"""DNA input: validation errors, FASTA (plain, gzip, multi-record), reverse complement, shipped loci."""
import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augbench.grna.sequence import (LOCI, as_records, clean_sequence, load_locus, parse_fasta_text, read_fasta,
                                    reverse_complement)

dna = st.text(alphabet="ACGTNacgtn", min_size=0, max_size=200)


@given(dna)
def test_reverse_complement_involution(s):
    assert reverse_complement(reverse_complement(s)) == s


def test_reverse_complement_example():
    assert reverse_complement("AACGTTGCAN") == "NTGCAACGTT"
    assert reverse_complement("acgR") == "Ycgt"


def test_soft_mask_and_n_reported():
    r = clean_sequence("acgtNNACGT", "x")
    assert r.seq == "ACGTNNACGT"
    assert r.n_soft_masked == 4 and r.n_unknown == 2


@pytest.mark.parametrize("seq, pos, char", [("ACGTXACGT", 4, "X"), ("ACG-T", 3, "-"), ("ACGT1", 4, "1")])
def test_invalid_character_error_names_record_position_char(seq, pos, char):
    with pytest.raises(ValueError) as e:
        clean_sequence(seq, "myrec")
    msg = str(e.value)
    assert "'myrec'" in msg and f"position {pos}" in msg and repr(char) in msg


def test_rna_and_empty_errors():
    with pytest.raises(ValueError, match="RNA"):
        clean_sequence("ACGUACGU", "r")
    with pytest.raises(ValueError, match="empty"):
        clean_sequence("  \n", "r")
    with pytest.raises(ValueError, match="no records"):
        parse_fasta_text("")


def test_fasta_multi_record_plain_and_gzip(tmp_path):
    text = ">one first record\nACGTACGT\nacgt\n>two\nNNNNGGGG\n"
    p = tmp_path / "x.fa"
    p.write_text(text)
    pz = tmp_path / "x.fa.gz"
    pz.write_bytes(gzip.compress(text.encode()))
    for path in (p, pz):
        recs = read_fasta(path)
        assert [r.name for r in recs] == ["one", "two"]
        assert recs[0].seq == "ACGTACGTACGT" and recs[0].n_soft_masked == 4
        assert recs[0].description == "first record"
        assert recs[1].n_unknown == 4


def test_fasta_error_names_record(tmp_path):
    p = tmp_path / "bad.fa"
    p.write_text(">ok\nACGT\n>bad\nACGTACGZ\n")
    with pytest.raises(ValueError, match=r"'bad'.*'Z' at position 7"):
        read_fasta(p)


def test_shipped_loci_load():
    emx1 = load_locus("EMX1")
    assert len(emx1) == 238 and "GAGTCCGAGCAGAAGAAGAA" in emx1.seq
    eco = load_locus("ecoli_K12")
    assert len(eco) == 4_641_652 and eco.circular
    small = as_records("HEK3_FANCF_smallgenome")
    assert [r.name for r in small] == ["chr9", "chr11"]
    assert set(LOCI) >= {"EMX1", "FANCF", "HEK3"}
    with pytest.raises(ValueError, match="locus"):
        load_locus("nope")


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, time; import numpy; t=time.perf_counter(); import augbench.grna; "
            "dt=time.perf_counter()-t; bad=[m for m in ('torch','panel','holoviews','pandas','numba') if m in sys.modules];"
            "print(dt, bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert float(out[0]) < 0.3
    assert out[1].strip() == "[]"


def test_encode_codes():
    from augbench.grna.sequence import encode

    assert np.array_equal(encode("ACGTN"), [0, 1, 2, 3, 4])


def test_iter_fasta_streams_same_records(tmp_path):
    from augbench.grna.sequence import iter_fasta

    text = ">a x\nACGTNN\nacg\n>b\nTTTT\n"
    p = tmp_path / "s.fa.gz"
    p.write_bytes(gzip.compress(text.encode()))
    got = [(r.name, r.seq, r.n_soft_masked) for r in iter_fasta(p)]
    assert got == [(r.name, r.seq, r.n_soft_masked) for r in read_fasta(p)] == [("a", "ACGTNNACG", 3), ("b", "TTTT", 0)]
    bad = tmp_path / "bad.fa"
    bad.write_text(">a\nACGU\n")
    with pytest.raises(ValueError, match="RNA"):
        list(iter_fasta(bad))
