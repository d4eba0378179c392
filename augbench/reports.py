"""Run notebooks headless with papermill into self-contained, offline HTML reports.

Layout of ``reports/`` (never overwritten)::

    reports/
      index.json  index.html            # every run, newest first
      <run-id>/                         # one folder per `augbench report` call
        run.json                        # the run's own record
        01_grna_design_kinetics.ipynb   # executed notebook
        01_grna_design_kinetics.html    # offline HTML (plots and widgets render with no network)

A run is written into ``reports/.<run-id>.partial`` and renamed to ``reports/<run-id>`` only when every
notebook of it has finished (passed or failed), so an interrupted run never leaves a folder that looks
complete. ``index.json`` and ``index.html`` are replaced atomically under a file lock.
"""
from __future__ import annotations

import ast
import base64
import contextlib
import datetime as _dt
import html
import json
import os
import platform
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
REPORT_DIR = ROOT / "reports"
_VENDOR = Path(__file__).resolve().parent / "_vendor"
_TEMPLATES = Path(__file__).resolve().parent / "templates"

#: packages whose versions are recorded with every run
RECORDED_PACKAGES = ("augbench", "numpy", "scipy", "pandas", "xarray", "scikit-learn", "torch", "mne",
                     "pyriemann", "panel", "holoviews", "bokeh", "ipywidgets", "papermill", "dask", "distributed")


class ParameterError(ValueError):
    """A ``-p`` parameter is unknown to the notebook or has a value of the wrong type."""


class NotebookNotFound(LookupError):
    """No notebook matches the given name."""


# --------------------------------------------------------------------------- notebooks and parameters
@dataclass
class NotebookInfo:
    """A curated notebook: ``name`` (file stem), ``alias`` (e.g. ``bci``), ``path``, description, parameters."""

    name: str
    alias: str
    path: Path
    description: str
    parameters: dict = field(default_factory=dict)  # name -> {"type": str, "default": str, "help": str}


_ALIASES = {"grna": ("grna", "crispr", "cas9"), "bci": ("bci", "eeg"), "cognition": ("cognit", "cognition")}


def _alias_of(stem: str) -> str:
    words = re.sub(r"^\d+_", "", stem).split("_")
    for alias, keys in _ALIASES.items():
        if any(w.startswith(k) for w in words for k in keys):
            return alias
    return words[0]


def _description(nb) -> str:
    meta = nb.metadata.get("augbench", {}).get("description")
    if meta:
        return meta
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                return re.sub(r"[*_`]", "", line)[:160]
    return ""


def notebook_parameters(path: str | Path) -> dict:
    """Parameters declared in the notebook's ``parameters`` cell: ``{name: {type, default, help}}``.

    Read with :func:`papermill.inspect_notebook`; the type is the annotation (``QUICK: bool = False``) or,
    without one, the type of the default's literal value.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    out = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, ann, value = node.target.id, ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, ann, value = node.targets[0].id, None, node.value
        else:
            continue
        default = ast.unparse(value) if value is not None else "None"
        if ann is None:
            try:
                ann = type(ast.literal_eval(value)).__name__
            except Exception:
                ann = "object"
        line = cells[0].source.splitlines()[node.lineno - 1]
        helptext = line.split("#", 1)[1].strip() if "#" in line else ""
        out[name] = {"type": ann, "default": default, "help": helptext}
    return out


def list_notebooks(directory: str | Path | None = None) -> list[NotebookInfo]:
    """The curated notebooks in ``directory`` (default ``notebooks/``), sorted by file name."""
    import nbformat

    directory = Path(directory or NOTEBOOK_DIR)
    infos = []
    for p in sorted(directory.glob("*.ipynb")):
        if p.name.startswith(("_", ".")):
            continue
        nb = nbformat.read(str(p), as_version=4)
        infos.append(NotebookInfo(p.stem, _alias_of(p.stem), p, _description(nb), notebook_parameters(p)))
    return infos


def resolve_notebook(name: str, directory: str | Path | None = None) -> NotebookInfo:
    """Find a notebook by file stem, alias (``bci``), number prefix (``02``) or path."""
    infos = list_notebooks(directory)
    p = Path(name)
    if p.suffix == ".ipynb" and p.exists():
        nb_dir = p.resolve().parent
        for info in list_notebooks(nb_dir):
            if info.path.resolve() == p.resolve():
                return info
    stem = p.stem if p.suffix == ".ipynb" else name
    for key in ("name", "alias"):
        hits = [i for i in infos if getattr(i, key) == stem]
        if len(hits) == 1:
            return hits[0]
    hits = [i for i in infos if i.name.startswith(stem)]
    if len(hits) == 1:
        return hits[0]
    valid = ", ".join(f"{i.name} ({i.alias})" for i in infos) or "none"
    raise NotebookNotFound(f"no notebook named {name!r}; available: {valid}")


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def coerce_parameter(notebook: NotebookInfo, key: str, value):
    """Convert a parameter value (often a command-line string) to the declared type, or raise ParameterError."""
    params = notebook.parameters
    if key not in params:
        valid = ", ".join(f"{k} ({v['type']}, default {v['default']})" for k, v in params.items())
        raise ParameterError(f"unknown parameter {key!r} for notebook {notebook.name}; valid parameters: {valid}")
    typ = params[key]["type"]
    raw = value
    try:
        if typ == "bool":
            if isinstance(raw, bool):
                return raw
            s = str(raw).strip().lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise ValueError
        if typ == "int":
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(str(raw).strip()) if not isinstance(raw, (int, float)) else int(raw)
        if typ == "float":
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
        if typ == "str":
            return str(raw)
        if isinstance(raw, str):
            try:
                return ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                return raw
        return raw
    except (ValueError, TypeError):
        raise ParameterError(f"parameter {key!r} of notebook {notebook.name} expects {typ} "
                             f"(default {params[key]['default']}); got {value!r}") from None


def validate_parameters(notebook: NotebookInfo, params: dict, *, quick: bool = False) -> dict:
    """Check every name and type before anything runs; returns the coerced parameters."""
    out = {k: coerce_parameter(notebook, k, v) for k, v in params.items()}
    if quick:
        if "QUICK" not in notebook.parameters:
            raise ParameterError(f"notebook {notebook.name} has no QUICK parameter; --quick is not available")
        out["QUICK"] = True
    return out


# --------------------------------------------------------------------------- offline HTML
def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def _inline_panel_cdn(text: str) -> str:
    """Replace ``https://cdn.holoviz.org/panel/<version>/dist/<file>`` (CSS and JS) by ``data:`` URIs of the
    same files shipped in the installed Panel wheel."""
    import urllib.parse

    import panel

    dist = Path(panel.__file__).parent / "dist"
    pat = re.compile(r"https://cdn\.holoviz\.org/panel/[^/\"']+/dist/([A-Za-z0-9_.@%^/-]+\.(css|js))(\?v=[0-9A-Za-z.]+)?")
    mime = {"css": "text/css", "js": "text/javascript"}

    def sub(m):
        f = dist / urllib.parse.unquote(m.group(1))
        return _data_uri(f.read_bytes(), mime[m.group(2)]) if f.exists() else m.group(0)

    return pat.sub(sub, text)


_EXTERNAL = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.I)


def external_references(text: str) -> list[str]:
    """``<script src>`` / ``<link href>`` tags in an HTML text that point at http(s) or protocol-relative URLs."""
    return [m.group(0) for m in _EXTERNAL.finditer(text)]


def to_offline_html(notebook, out_html: str | Path | None = None) -> str:
    """Render an executed notebook (path or NotebookNode) as one self-contained HTML text.

    BokehJS and Panel must have been loaded inline in the notebook (``augbench.nb_setup()``); the
    standalone ipywidgets HTML manager (``embed.js``, no require.js: AMD loaders break the UMD bundles
    that Panel inlines, e.g. Tabulator) and MathJax 3 (SVG output, for the notebooks' equations) are
    embedded as ``data:`` URIs, and Panel's CDN stylesheets and
    scripts are replaced by the copies in the installed Panel wheel. Written atomically when
    ``out_html`` is given.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = notebook if hasattr(notebook, "cells") else nbformat.read(str(notebook), as_version=4)
    exp = HTMLExporter(template_name="offline", extra_template_basedirs=[str(_TEMPLATES)])
    exp.widget_renderer_url = _data_uri((_VENDOR / "embed.js").read_bytes(), "text/javascript")
    exp.mathjax_url = _data_uri((_VENDOR / "mathjax-tex-svg.js").read_bytes(), "text/javascript")
    body, _ = exp.from_notebook_node(nb)
    body = _inline_panel_cdn(body)
    if out_html is not None:
        atomic_write_text(Path(out_html), body)
    return body


# --------------------------------------------------------------------------- atomic files, index
def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path):
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".index.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def git_revision(root: Path = ROOT) -> str:
    """``git describe``-like revision of the project (``<sha>`` plus ``-dirty``), or ``"unknown"``."""
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        if not sha:
            return "unknown"
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _read_index(directory: Path) -> list:
    p = directory / "index.json"
    if not p.exists():
        return []
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return data.get("runs", []) if isinstance(data, dict) else []
    except json.JSONDecodeError:
        # keep the damaged file for inspection, never drop it silently
        os.replace(p, p.with_name(f"index.corrupt-{int(time.time())}.json"))
        return []


def _index_html(runs: list) -> str:
    rows = []
    for run in runs:
        for nb in run["notebooks"]:
            status = nb["status"]
            colour = "#1a7f37" if status == "ok" else "#cf222e"
            link = f"{run['run_id']}/{nb['html']}" if nb.get("html") else ""
            params = html.escape(json.dumps(nb["parameters"]))
            metrics = html.escape(", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                            for k, v in nb.get("metrics", {}).items()))
            rows.append(
                f"<tr><td>{html.escape(run['run_id'])}</td>"
                f"<td><a href='{html.escape(link)}'>{html.escape(nb['notebook'])}</a></td>"
                f"<td><code>{params}</code></td><td>{html.escape(nb['start'])}</td>"
                f"<td>{nb['duration_s']:.1f}</td><td style='color:{colour}'><b>{status}</b></td>"
                f"<td>{html.escape(run['git_revision'])}</td><td>{metrics}</td></tr>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>augbench reports</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px;vertical-align:top}"
            "th{background:#f3f3f3}</style></head><body><h1>augbench reports</h1>"
            f"<p>{len(runs)} run(s); newest first. Package versions are in index.json.</p>"
            "<table><tr><th>run</th><th>notebook</th><th>parameters</th><th>start (UTC)</th>"
            "<th>duration (s)</th><th>status</th><th>git revision</th><th>metrics</th></tr>"
            + "".join(rows) + "</table></body></html>")


def add_to_index(run: dict, directory: Path) -> None:
    """Append one run record to ``index.json`` and rebuild ``index.html`` (atomic, locked)."""
    with _locked(directory):
        runs = [r for r in _read_index(directory) if r.get("run_id") != run["run_id"]]
        runs.insert(0, run)
        atomic_write_text(directory / "index.json", json.dumps({"runs": runs}, indent=1))
        atomic_write_text(directory / "index.html", _index_html(runs))


# --------------------------------------------------------------------------- running
def new_run_id() -> str:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _first_error(out_ipynb: Path) -> str | None:
    """``"EName: value"`` of the first error output in an executed notebook, if any."""
    import nbformat

    try:
        nb = nbformat.read(str(out_ipynb), as_version=4)
    except Exception:
        return None
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                return f"{o.get('ename')}: {o.get('evalue')}"
    return None


def execute_notebook(path: str | Path, parameters: dict, out_ipynb: str | Path, *, timeout_s: int = 1800,
                     wall_timeout_s: float | None = None, retries_on_hang: int = 1):
    """Execute one notebook with papermill in a child process; returns ``(status, error_message)``.

    The output notebook is always written (papermill saves it as cells finish). ``timeout_s`` limits each
    cell. The whole run also has a wall-clock limit (``wall_timeout_s``, default ``2 * timeout_s``):
    a run that exceeds it is killed with its kernel and, ``retries_on_hang`` times, started again. A
    Jupyter client can wait forever on a lost kernel message even though the kernel is idle (seen here
    once in a few dozen runs); a child process is the one thing that can always be stopped.
    """
    import signal
    import tempfile

    path, out_ipynb = Path(path), Path(out_ipynb)
    wall = wall_timeout_s or 2 * timeout_s
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(parameters, fh)  # JSON is YAML: papermill -f reads it with the types kept
        params_file = fh.name
    cmd = [sys.executable, "-m", "papermill", str(path), str(out_ipynb), "-f", params_file, "-k", "python3",
           "--cwd", str(path.parent), "--no-progress-bar", "--execution-timeout", str(int(timeout_s))]
    try:
        for attempt in range(retries_on_hang + 1):
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True)
            try:
                _, err = proc.communicate(timeout=wall)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # papermill and its kernel: one process group
                proc.communicate()
                if attempt < retries_on_hang:
                    continue
                return "failed", f"timed out after {wall:.0f} s (killed; {attempt + 1} attempt(s))"
            if proc.returncode == 0:
                return "ok", None
            msg = _first_error(out_ipynb)
            if msg is None:
                tail = [ln for ln in (err or "").strip().splitlines() if ln.strip()]
                msg = tail[-1] if tail else f"papermill exited with {proc.returncode}"
            return "failed", msg
    finally:
        os.unlink(params_file)
    return "failed", "not run"  # pragma: no cover


def run_reports(names: list[str] | None = None, params: dict | None = None, *, quick: bool = False,
                out_dir: str | Path | None = None, notebook_dir: str | Path | None = None,
                progress: bool = True, timeout_s: int = 1800) -> dict:
    """Run notebooks headless into a new ``<out_dir>/<run-id>/`` with offline HTML, then update the index.

    Parameters
    ----------
    names : list of str, optional
        Notebooks by name/alias; all curated notebooks when empty.
    params : dict, optional
        Parameters for every notebook (names and types checked before anything runs; each must exist in
        every selected notebook).
    quick : bool
        Set ``QUICK=True`` (small data, few iterations).

    Returns
    -------
    dict
        The run record (also saved as ``run.json`` and in ``index.json``); ``record["ok"]`` is False when any
        notebook failed.
    """
    import nbformat
    from tqdm.auto import tqdm

    from .notebook import read_metrics

    infos = [resolve_notebook(n, notebook_dir) for n in names] if names else list_notebooks(notebook_dir)
    if not infos:
        raise NotebookNotFound(f"no notebooks found in {notebook_dir or NOTEBOOK_DIR}")
    resolved = [(info, validate_parameters(info, params or {}, quick=quick)) for info in infos]

    out_dir = Path(out_dir or REPORT_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    while (out_dir / run_id).exists():  # never overwrite
        run_id = new_run_id()
    partial = out_dir / f".{run_id}.partial"
    partial.mkdir()
    record = {"run_id": run_id, "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "git_revision": git_revision(), "packages": package_versions(), "host": platform.node(),
              "notebooks": []}
    bar = tqdm(resolved, desc="augbench report", unit="notebook", disable=not progress, file=sys.stderr)
    for info, p in bar:
        bar.set_description(f"running {info.name}")
        start = _dt.datetime.now(_dt.timezone.utc)
        t0 = time.perf_counter()
        out_nb = partial / f"{info.name}.ipynb"
        status, error = execute_notebook(info.path, p, out_nb, timeout_s=timeout_s)
        entry = {"notebook": info.name, "parameters": p, "start": start.isoformat(timespec="seconds"),
                 "duration_s": 0.0, "status": status, "error": error, "ipynb": out_nb.name, "html": None,
                 "metrics": {}}
        if out_nb.exists():
            nb = nbformat.read(str(out_nb), as_version=4)
            try:
                entry["metrics"] = read_metrics(nb)
            except Exception:
                pass
            try:
                to_offline_html(nb, partial / f"{info.name}.html")
                entry["html"] = f"{info.name}.html"
            except Exception as exc:
                entry["status"] = "failed"
                entry["error"] = (error + "; " if error else "") + f"HTML export failed: {exc}"
        entry["duration_s"] = round(time.perf_counter() - t0, 2)
        record["notebooks"].append(entry)
        if progress:
            bar.write(f"  {info.name}: {entry['status']} in {entry['duration_s']:.1f} s"
                      + (f" ({entry['error']})" if entry["error"] else ""))
    bar.close()
    record["ok"] = all(e["status"] == "ok" for e in record["notebooks"])
    atomic_write_text(partial / "run.json", json.dumps(record, indent=1))
    os.replace(partial, out_dir / run_id)
    record["path"] = str(out_dir / run_id)
    add_to_index(record, out_dir)
    return record
