"""The data registry: every shipped file is listed with a checksum; corruption and absence are caught."""
import shutil

import pytest

from augbench import data


def test_manifest_lists_every_file_and_all_verify(root):
    mf = data.manifest()
    on_disk = {p.relative_to(root / "data").as_posix() for p in (root / "data").rglob("*")
               if p.is_file() and p.name != "MANIFEST.csv" and not p.name.endswith(".md")}
    assert on_disk == {e.file for e in mf.values()}
    assert data.verify_all() == []
    for e in mf.values():
        assert len(e.sha256) == 64 and e.source and e.citation is not None


def test_every_data_folder_has_provenance(root):
    for e in data.manifest().values():
        folder = (root / "data" / e.file).parent
        assert any((p / "PROVENANCE.md").exists() for p in [folder, *folder.parents] if root / "data" in [p, *p.parents]), e.file


def test_short_names_resolve():
    assert data.path("S001R04").name == "S001R04.edf"
    assert data.path("eeg/eegmmidb/S001/S001R04") == data.path("S001R04")


def test_unknown_name_suggests_close_match():
    with pytest.raises(data.DataError, match=r"S001R04"):
        data.path("S001R4")


@pytest.fixture()
def data_copy(tmp_path, monkeypatch, root):
    dst = tmp_path / "data"
    dst.mkdir()
    shutil.copy(root / "data" / "MANIFEST.csv", dst)
    (dst / "genomes").mkdir()
    shutil.copy(root / "data" / "genomes" / "human_loci_guides.tsv", dst / "genomes")
    monkeypatch.setenv("AUGBENCH_DATA", str(dst))
    return dst


def test_corrupt_file_is_refused_naming_it(data_copy):
    assert data.path("human_loci_guides").exists()
    f = data_copy / "genomes" / "human_loci_guides.tsv"
    f.write_bytes(f.read_bytes().replace(b"G", b"C", 1))
    with pytest.raises(data.DataError, match=r"human_loci_guides\.tsv.*corrupt"):
        data.path("human_loci_guides")


def test_missing_file_is_refused_naming_it(data_copy):
    with pytest.raises(data.DataError, match=r"S001R04\.edf.*missing"):
        data.path("S001R04")
