"""Acquisition: read the shipped PhysioNet EEGMMIDB recordings with MNE, convert to and from xarray,
and export de-identified EDF+.

The data are the EEG Motor Movement/Imagery Dataset (Schalk et al. 2004, IEEE TBME 51:1034,
doi:10.1109/TBME.2004.827072; Goldberger et al. 2000, Circulation 101:e215,
doi:10.1161/01.CIR.101.23.e215): 64-channel EEG, 160 Hz, EDF+ with annotations T0 (rest), T1, T2.
Runs 4/8/12: imagined left (T1) vs right (T2) fist; runs 6/10/14: imagined both fists (T1) vs both
feet (T2). Nothing is downloaded: files are resolved through :func:`augbench.data.path`.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from augbench._validate import check_int, check_option

__all__ = [
    "RUN_TASKS", "SUBJECTS", "edf_path", "read_edf", "load_raw", "load_epochs", "epochs_arrays",
    "raw_to_xarray", "xarray_to_raw", "epochs_to_xarray", "xarray_to_epochs", "export_edf",
    "EEGFileError",
]

#: Imagery runs and what T1/T2 mean in each (PhysioNet eegmmidb documentation).
RUN_TASKS = {4: ("left", "right"), 8: ("left", "right"), 12: ("left", "right"),
             6: ("hands", "feet"), 10: ("hands", "feet"), 14: ("hands", "feet")}
#: Subjects shipped in data/eeg/eegmmidb.
SUBJECTS = (1, 2, 3)
#: The two imagery tasks and their runs.
TASK_RUNS = {"left_right": (4, 8, 12), "hands_feet": (6, 10, 14)}


def make_montage(name: str = "auto"):
    """The 10-05 template montage: ``"auto"`` picks ``colin27_1005`` where MNE has it (MNE >= 1.13
    renamed ``standard_1005``), else ``standard_1005``; both are the same template positions."""
    import mne

    names = mne.channels.get_builtin_montages()
    if name == "auto":
        name = "colin27_1005" if "colin27_1005" in names else "standard_1005"
    check_option("montage", name, names)
    return mne.channels.make_standard_montage(name)


class EEGFileError(ValueError):
    """A recording cannot be read or does not match what the pipeline expects."""


def edf_path(subject: int, run: int) -> Path:
    """Verified local path of one shipped EDF file (``data/eeg/eegmmidb/S00N/S00NRkk.edf``)."""
    from augbench import data

    subject = check_int("subject", subject, 1, 109)
    run = check_int("run", run, 1, 14)
    if subject not in SUBJECTS:
        raise ValueError(f"subject={subject} is not shipped; expected one of {SUBJECTS} (data/eeg/eegmmidb)")
    check_option("run", run, sorted(RUN_TASKS))
    return data.path(f"eeg/eegmmidb/S{subject:03d}/S{subject:03d}R{run:02d}")


def _check_edf_header(fname: Path) -> None:
    """Raise :class:`EEGFileError` naming the file if the EDF header is missing, malformed or truncated."""
    size = fname.stat().st_size
    with open(fname, "rb") as fh:
        head = fh.read(256)
        if len(head) < 256:
            raise EEGFileError(f"{fname}: truncated EDF header ({len(head)} of 256 bytes)")
        try:
            txt = head.decode("ascii")
            if txt[:8].strip() != "0":
                raise ValueError("version field is not '0'")
            n_header = int(txt[184:192])
            n_records = int(txt[236:244])
            n_signals = int(txt[252:256])
        except (UnicodeDecodeError, ValueError) as exc:
            raise EEGFileError(f"{fname}: not a valid EDF file ({exc})") from None
        if n_header != 256 * (n_signals + 1):
            raise EEGFileError(f"{fname}: corrupt EDF header: header bytes {n_header} != 256*(1+{n_signals})")
        sig = fh.read(256 * n_signals)
        if len(sig) < 256 * n_signals:
            raise EEGFileError(f"{fname}: truncated EDF signal header")
        try:
            samples = [int(sig[216 * n_signals + 8 * i: 216 * n_signals + 8 * i + 8]) for i in range(n_signals)]
        except ValueError:
            raise EEGFileError(f"{fname}: corrupt EDF signal header (samples per record)") from None
    expected = n_header + 2 * sum(samples) * max(n_records, 0)
    if n_records < 1 or size < expected:
        n_full = (size - n_header) // max(2 * sum(samples), 1)
        raise EEGFileError(f"{fname}: truncated EDF: {size} bytes, header promises {n_records} data records "
                           f"({expected} bytes); only {n_full} complete records present")


def read_edf(fname, *, standardize: bool = True, montage: str | None = "auto"):
    """Read one EDF/EDF+ recording as an :class:`mne.io.Raw` (preloaded, volts).

    Channel names are standardised (``Fc5.`` -> ``FC5``, :func:`mne.datasets.eegbci.standardize`)
    and the ``standard_1005`` montage is set. Raises :class:`EEGFileError` naming the file if it is
    truncated or corrupt, or if it contains NaNs (naming the channel).
    """
    import mne

    fname = Path(fname)
    if not fname.exists():
        raise FileNotFoundError(f"EDF file {fname} does not exist")
    _check_edf_header(fname)
    try:
        raw = mne.io.read_raw_edf(fname, preload=True, verbose="error")
    except Exception as exc:  # noqa: BLE001 - re-raise with the file name
        raise EEGFileError(f"{fname}: MNE could not read this EDF ({type(exc).__name__}: {exc})") from exc
    if standardize:
        mne.datasets.eegbci.standardize(raw)
    if montage:
        raw.set_montage(make_montage(montage), on_missing="warn", verbose="error")
    data = raw.get_data()
    bad = np.where(~np.isfinite(data).all(axis=1))[0]
    if bad.size:
        raise EEGFileError(f"{fname}: channel {raw.ch_names[bad[0]]!r} contains NaN or inf samples")
    return raw


def _task_of(runs) -> str:
    tasks = {RUN_TASKS[r] for r in runs}
    if len(tasks) > 1:
        raise ValueError(f"runs={list(runs)} mix tasks {sorted(tasks)}; use runs of one task: {TASK_RUNS}")
    return next(iter(tasks))


def load_raw(subject: int = 1, runs=(6, 10, 14), *, fnames=None):
    """Load and concatenate the imagery runs of one subject, with T1/T2 renamed to class names.

    Parameters
    ----------
    subject : int
        Shipped subject (1, 2 or 3).
    runs : sequence of int
        Imagery runs of one task: (4, 8, 12) left/right fist or (6, 10, 14) hands/feet.
    fnames : sequence of path, optional
        Read these files instead of the shipped ones (the run numbers still say the task).

    Returns
    -------
    mne.io.Raw
        Concatenated recording (volts) with annotations ``rest``, and the task's two class names;
        ``raw.info["description"]`` records subject and runs.
    """
    import mne

    runs = [check_int("runs", r, 1, 14) for r in runs]
    if not runs:
        raise ValueError("runs is empty; give at least one imagery run, e.g. (6, 10, 14)")
    for r in runs:
        check_option("run", r, sorted(RUN_TASKS))
    t1, t2 = _task_of(runs)
    fnames = [edf_path(subject, r) for r in runs] if fnames is None else [Path(f) for f in fnames]
    raws = [read_edf(f) for f in fnames]
    ref = raws[0]
    for f, r in zip(fnames[1:], raws[1:]):
        if r.info["sfreq"] != ref.info["sfreq"]:
            raise EEGFileError(f"{f}: sampling rate {r.info['sfreq']} Hz differs from {fnames[0]} "
                               f"({ref.info['sfreq']} Hz); resample before concatenating")
        missing = sorted(set(ref.ch_names) - set(r.ch_names))
        if missing:
            raise EEGFileError(f"{f}: channel {missing[0]!r} (present in {fnames[0].name}) is missing")
        if r.ch_names != ref.ch_names:
            r.reorder_channels(ref.ch_names)
    raw = mne.concatenate_raws(raws, verbose="error")
    raw.annotations.rename({"T0": "rest", "T1": t1, "T2": t2})
    raw.info["description"] = f"eegmmidb subject {subject} runs {runs}"
    return raw


def load_epochs(subject: int = 1, runs=(6, 10, 14), *, l_freq: float | None = 7.0, h_freq: float | None = 30.0,
                tmin: float = -1.0, tmax: float = 4.0, car: bool = True, raw=None):
    """Epochs of the two imagery classes, band-passed offline (zero-phase FIR), as MNE's CSP example does.

    Band-pass: ``raw.filter(l_freq, h_freq, fir_design="firwin", skip_by_annotation="edge")``;
    reference: average reference as a projector (``car=True``), exactly MNE's example protocol.

    Returns
    -------
    mne.Epochs
        Preloaded, ``baseline=None``; ``event_id`` maps the two class names to 2 and 3;
        ``metadata`` has columns ``subject`` (int), ``run`` (int), ``label`` (str).
    """
    import mne

    if raw is None:
        raw = load_raw(subject, runs)
    else:
        raw = raw.copy()
    t1, t2 = _task_of(runs)
    if car:
        raw.set_eeg_reference(projection=True, verbose="error")
    if l_freq is not None or h_freq is not None:
        raw.filter(l_freq, h_freq, fir_design="firwin", skip_by_annotation="edge", verbose="error")
    events, _ = mne.events_from_annotations(raw, event_id={t1: 2, t2: 3}, verbose="error")
    picks = mne.pick_types(raw.info, meg=False, eeg=True, stim=False, eog=False, exclude="bads")
    import pandas as pd

    edges = np.array([raw.time_as_index(o - raw.first_time)[0] + raw.first_samp
                      for o, d in zip(raw.annotations.onset, raw.annotations.description) if d == "EDGE boundary"])
    run_idx = np.searchsorted(np.unique(edges), events[:, 0], side="right") if edges.size else np.zeros(len(events), int)
    runs = list(runs)
    meta = pd.DataFrame({"subject": subject, "run": [runs[min(i, len(runs) - 1)] for i in run_idx],
                         "label": np.where(events[:, 2] == 2, t1, t2)})
    epochs = mne.Epochs(raw, events, {t1: 2, t2: 3}, tmin=tmin, tmax=tmax, proj=True, picks=picks,
                        baseline=None, preload=True, metadata=meta, verbose="error")
    return epochs


def epochs_arrays(epochs, tmin: float = 1.0, tmax: float = 2.0):
    """``(X, y)`` for decoding: data cropped to ``[tmin, tmax]`` s after the cue (MNE example: 1–2 s).

    Returns
    -------
    X : ndarray, shape (n_epochs, n_channels, n_times), in V
    y : ndarray of int, shape (n_epochs,)
        0 for the first class (T1), 1 for the second (T2).
    """
    ep = epochs.copy().crop(tmin=tmin, tmax=tmax)
    return ep.get_data(copy=False), ep.events[:, -1] - 2


# ---------------------------------------------------------------------------------------- xarray
def raw_to_xarray(raw):
    """An :class:`mne.io.Raw` as an ``xarray.DataArray`` with dims ``(channel, time)``, in V.

    ``attrs`` keep ``sfreq`` and the annotations (onset, duration, description) so that
    :func:`xarray_to_raw` can rebuild the recording.
    """
    import xarray as xr

    da = xr.DataArray(raw.get_data(), dims=("channel", "time"),
                      coords={"channel": list(raw.ch_names), "time": raw.times.copy()}, name="eeg",
                      attrs={"units": "V", "long_name": "EEG potential", "sfreq": float(raw.info["sfreq"]),
                             "ch_types": list(raw.get_channel_types()),
                             "annotation_onset": np.asarray(raw.annotations.onset, float) - raw.first_time,
                             "annotation_duration": np.asarray(raw.annotations.duration, float),
                             "annotation_description": [str(d) for d in raw.annotations.description]})
    da["channel"].attrs.update(units="", long_name="channel (10-05 name)")
    da["time"].attrs.update(units="s", long_name="time from recording start")
    return da


def xarray_to_raw(da, *, montage: str | None = "auto"):
    """Rebuild an :class:`mne.io.RawArray` from a ``(channel, time)`` DataArray in V.

    Raises ``ValueError`` naming the attribute if units are not volts, ``sfreq`` is missing or the
    time axis is not evenly sampled at ``sfreq``.
    """
    import mne

    if tuple(da.dims) != ("channel", "time"):
        raise ValueError(f"DataArray dims are {da.dims}; expected ('channel', 'time')")
    units = da.attrs.get("units")
    if units not in ("V", None):
        raise ValueError(f"DataArray attrs['units']={units!r}; expected 'V' (convert µV to V first)")
    sfreq = da.attrs.get("sfreq")
    if sfreq is None:
        t = np.asarray(da["time"])
        sfreq = 1.0 / np.median(np.diff(t))
    t = np.asarray(da["time"], float)
    if t.size > 1 and not np.allclose(np.diff(t), 1.0 / sfreq, rtol=1e-6, atol=1e-9):
        raise ValueError(f"time coordinate is not evenly sampled at sfreq={sfreq} Hz")
    types = da.attrs.get("ch_types", "eeg")
    info = mne.create_info([str(c) for c in da["channel"].values], float(sfreq), types)
    raw = mne.io.RawArray(np.asarray(da.values, float), info, verbose="error")
    if montage:
        raw.set_montage(make_montage(montage), on_missing="ignore", verbose="error")
    if "annotation_onset" in da.attrs and len(da.attrs["annotation_onset"]):
        raw.set_annotations(mne.Annotations(da.attrs["annotation_onset"], da.attrs["annotation_duration"],
                                            list(da.attrs["annotation_description"])))
    return raw


def epochs_to_xarray(epochs):
    """An :class:`mne.Epochs` as a DataArray ``(epoch, channel, time)`` in V with a ``label`` coordinate."""
    import xarray as xr

    inv = {v: k for k, v in epochs.event_id.items()}
    da = xr.DataArray(epochs.get_data(), dims=("epoch", "channel", "time"),
                      coords={"epoch": np.arange(len(epochs)), "channel": list(epochs.ch_names),
                              "time": epochs.times.copy(),
                              "label": ("epoch", [inv[e] for e in epochs.events[:, -1]])},
                      name="eeg", attrs={"units": "V", "long_name": "EEG potential",
                                         "sfreq": float(epochs.info["sfreq"]), "tmin": float(epochs.tmin)})
    da["epoch"].attrs.update(units="", long_name="epoch index")
    da["channel"].attrs.update(units="", long_name="channel (10-05 name)")
    da["time"].attrs.update(units="s", long_name="time from cue")
    da["label"].attrs.update(units="", long_name="imagined movement")
    return da


def xarray_to_epochs(da, *, montage: str | None = "auto"):
    """Rebuild :class:`mne.EpochsArray` from an ``(epoch, channel, time)`` DataArray with a ``label`` coordinate."""
    import mne

    if tuple(da.dims) != ("epoch", "channel", "time"):
        raise ValueError(f"DataArray dims are {da.dims}; expected ('epoch', 'channel', 'time')")
    if da.attrs.get("units", "V") != "V":
        raise ValueError(f"DataArray attrs['units']={da.attrs.get('units')!r}; expected 'V'")
    labels = [str(x) for x in da["label"].values]
    names = list(dict.fromkeys(labels))
    event_id = {n: i + 2 for i, n in enumerate(names)}
    sfreq = da.attrs.get("sfreq") or 1.0 / float(np.median(np.diff(da["time"].values)))
    events = np.c_[np.arange(len(labels)) * int(10 * sfreq), np.zeros(len(labels), int),
                   [event_id[x] for x in labels]]
    info = mne.create_info([str(c) for c in da["channel"].values], float(sfreq), "eeg")
    ep = mne.EpochsArray(np.asarray(da.values, float), info, events=events, tmin=float(da["time"].values[0]),
                         event_id=event_id, verbose="error")
    if montage:
        ep.set_montage(make_montage(montage), on_missing="ignore", verbose="error")
    return ep


# ---------------------------------------------------------------------------------------- EDF export
def _field(s, n: int) -> bytes:
    b = str(s).encode("ascii", "replace")[:n]
    return b.ljust(n, b" ")


def _num(x: float, n: int = 8) -> bytes:
    for fmt in ("{:d}", "{:.6g}", "{:.4g}", "{:.2g}", "{:.0f}"):
        try:
            s = fmt.format(int(x)) if fmt == "{:d}" and float(x).is_integer() else fmt.format(float(x))
        except (ValueError, OverflowError):
            continue
        if len(s) <= n:
            return _field(s, n)
    raise ValueError(f"value {x} does not fit in an EDF field of {n} characters")


def export_edf(raw, fname, *, overwrite: bool = False) -> Path:
    """Write ``raw`` as a de-identified EDF+C file (16-bit), with its annotations.

    Subject identification is stripped: the patient field is ``"X X X X"`` (EDF+ spec: code, sex,
    birthdate, name all unknown), the recording field is ``"Startdate X X X X"`` and the start
    date/time are the EDF+ anonymous values 01.01.85 00.00.00. No field of ``raw.info["subject_info"]``,
    ``raw.info["experimenter"]`` or ``meas_date`` is written. Signals are quantised per channel to 16
    bits between the channel's minimum and maximum (EDF spec, Kemp et al. 1992,
    doi:10.1016/0013-4694(92)90009-7; EDF+ Kemp & Olivan 2003, doi:10.1016/S1388-2457(03)00123-8).

    Returns
    -------
    Path
        The written file.
    """
    fname = Path(fname)
    if fname.exists() and not overwrite:
        raise FileExistsError(f"{fname} exists; pass overwrite=True to replace it")
    sfreq = float(raw.info["sfreq"])
    if not float(sfreq).is_integer():
        raise ValueError(f"sfreq={sfreq} Hz is not an integer; this writer uses 1-s data records")
    fs = int(sfreq)
    data = raw.get_data() * 1e6  # µV
    n_ch, n_t = data.shape
    n_rec = int(np.ceil(n_t / fs))
    pad = n_rec * fs - n_t
    if pad:
        data = np.pad(data, ((0, 0), (0, pad)), mode="edge")
    pmin = data.min(axis=1)
    pmax = data.max(axis=1)
    same = pmax <= pmin
    pmax = np.where(same, pmin + 1.0, pmax)
    dmin, dmax = -32768, 32767
    scale = (dmax - dmin) / (pmax - pmin)
    dig = np.round((data - pmin[:, None]) * scale[:, None] + dmin).clip(dmin, dmax).astype("<i2")
    # annotations: one TAL list per record; the first TAL of each record is the time-keeping one
    first = raw.first_time
    recs: list[list[bytes]] = [[f"+{r}\x14\x14\x00".encode()] for r in range(n_rec)]
    for onset, dur, desc in zip(raw.annotations.onset, raw.annotations.duration, raw.annotations.description):
        o = float(onset) - first
        r = min(max(int(np.floor(o)), 0), n_rec - 1)
        recs[r].append(f"+{o:.4f}\x15{float(dur):.4f}\x14{desc}\x14\x00".encode("latin-1", "replace"))
    ann_bytes = max(sum(len(t) for t in rec) for rec in recs)
    ann_samples = int(np.ceil(ann_bytes / 2)) + 1
    labels = [str(c)[:16] for c in raw.ch_names] + ["EDF Annotations"]
    ns = n_ch + 1
    hdr = b"".join([
        _field("0", 8), _field("X X X X", 80), _field("Startdate X X X X", 80),
        _field("01.01.85", 8), _field("00.00.00", 8), _num(256 * (ns + 1)),
        _field("EDF+C", 44), _num(n_rec), _num(1), _field(ns, 4),
    ])
    sig = b"".join(
        [b"".join(_field(lab, 16) for lab in labels),
         b"".join(_field("EEG" if i < n_ch else "", 80) for i in range(ns)),
         b"".join(_field("uV" if i < n_ch else "", 8) for i in range(ns)),
         b"".join([_num(v) for v in pmin] + [_num(-1)]),
         b"".join([_num(v) for v in pmax] + [_num(1)]),
         b"".join([_num(dmin)] * ns), b"".join([_num(dmax)] * ns),
         b"".join(_field("", 80) for _ in range(ns)),
         b"".join([_num(fs)] * n_ch + [_num(ann_samples)]),
         b"".join(_field("", 32) for _ in range(ns))])
    tmp = fname.with_name(fname.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(hdr)
        fh.write(sig)
        for r in range(n_rec):
            fh.write(dig[:, r * fs:(r + 1) * fs].tobytes())
            fh.write(b"".join(recs[r]).ljust(2 * ann_samples, b"\x00"))
    os.replace(tmp, fname)
    return fname

