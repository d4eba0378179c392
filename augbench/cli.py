"""The ``augbench`` command line: ``list``, ``report``, ``serve``, ``sweep`` and ``data verify``.

Each command is a thin call into the library. Errors a user can fix (unknown notebook or parameter,
bad value, port in use) are printed as one line on stderr with exit code 2.
"""
from __future__ import annotations

import argparse
import sys

SECTIONS = {
    # name -> (title, [(tab title, module path)])
    "grna": ("gRNA design and Cas9 kinetics", [("Guide designer", "augbench.views.grna"),
                                               ("Cas9 kinetics", "augbench.views.kinetics")]),
    "bci": ("BCI signal chain", [("BCI", "augbench.views.bci")]),
    "cognition": ("Cognitive adaptation", [("Cognition", "augbench.views.cognition")]),
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="augbench", description="augbench research workbench")
    sub = p.add_subparsers(dest="command", required=True)

    ls = sub.add_parser("list", help="list notebooks with their parameters")
    ls.add_argument("--notebook-dir", default=None, help="folder of notebooks (default: notebooks/)")

    r = sub.add_parser("report", help="run notebooks headless into offline HTML reports")
    r.add_argument("names", nargs="*", help="notebooks (name, alias or number); all when omitted")
    r.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                   help="set a notebook parameter (repeatable)")
    r.add_argument("--quick", action="store_true", help="QUICK=True: small data, few iterations")
    r.add_argument("--out", default=None, help="report folder (default: reports/)")
    r.add_argument("--timeout", type=int, default=1800, help="seconds per cell before a run is failed")
    r.add_argument("--notebook-dir", default=None, help="folder of notebooks (default: notebooks/)")

    s = sub.add_parser("serve", help="serve a section's Panel dashboard on 127.0.0.1")
    s.add_argument("name", help=f"section: {', '.join(SECTIONS)} (or a notebook name)")
    s.add_argument("--port", type=int, default=5006)
    s.add_argument("--show", action="store_true", help="open a browser")

    w = sub.add_parser("sweep", help="run a grid of parameterised notebook runs on dask")
    w.add_argument("name")
    w.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("KEY", "V1,V2,..."),
                   help="comma-separated values of one parameter (repeatable; the grid is their product)")
    w.add_argument("--quick", action="store_true")
    w.add_argument("--scheduler", default=None, help="address of a running dask scheduler (default: LocalCluster)")
    w.add_argument("--workers", type=int, default=2, help="LocalCluster workers")
    w.add_argument("--out", default=None, help="sweep folder (default: reports/sweeps/<name>-<hash>)")
    w.add_argument("--notebook-dir", default=None, help="folder of notebooks (default: notebooks/)")

    d = sub.add_parser("data", help="shipped data files")
    d.add_argument("action", choices=["verify", "list"])
    return p


def _section_of(name: str) -> str:
    if name in SECTIONS:
        return name
    from .reports import NotebookNotFound, resolve_notebook

    try:
        alias = resolve_notebook(name).alias
    except NotebookNotFound:
        alias = None
    if alias in SECTIONS:
        return alias
    raise SystemExit(f"augbench serve: unknown section {name!r}; choose one of {', '.join(SECTIONS)}")


def build_dashboard(section: str):
    """The Panel object served for a section (tabs when the section has several dashboards)."""
    import importlib

    import panel as pn

    title, parts = SECTIONS[section]
    views = [(tab, importlib.import_module(mod).dashboard()) for tab, mod in parts]
    if len(views) == 1:
        return views[0][1]
    return pn.Tabs(*views, dynamic=True)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def cmd_serve(args) -> int:
    section = _section_of(args.name)
    if not (0 < args.port < 65536):
        print(f"augbench serve: --port {args.port} is not a valid TCP port (1-65535)", file=sys.stderr)
        return 2
    if not port_free(args.port):
        print(f"augbench serve: port {args.port} on 127.0.0.1 is already in use; choose another with --port N",
              file=sys.stderr)
        return 2
    import panel as pn

    pn.extension("tabulator", notifications=True)
    title = SECTIONS[section][0]
    url = f"http://127.0.0.1:{args.port}/{section}"
    print(f"augbench: serving the {title} dashboard at {url}  (Ctrl+C to stop)", flush=True)
    pn.serve({section: lambda: build_dashboard(section)}, port=args.port, address="127.0.0.1",
             websocket_origin=[f"127.0.0.1:{args.port}", f"localhost:{args.port}"], show=args.show,
             title=f"augbench: {title}", threaded=False)
    return 0


def cmd_list(args) -> int:
    from .reports import list_notebooks

    for info in list_notebooks(args.notebook_dir):
        print(f"{info.name}  [{info.alias}]")
        print(f"    {info.description}")
        for k, v in info.parameters.items():
            helptext = f"  # {v['help']}" if v["help"] else ""
            print(f"    -p {k} <{v['type']}>  default {v['default']}{helptext}")
    return 0


def cmd_report(args) -> int:
    from .reports import run_reports

    params = dict(args.param)
    record = run_reports(args.names or None, params, quick=args.quick, out_dir=args.out, timeout_s=args.timeout,
                         notebook_dir=args.notebook_dir)
    n_bad = sum(e["status"] != "ok" for e in record["notebooks"])
    print(f"augbench: run {record['run_id']} -> {record['path']}: "
          f"{len(record['notebooks']) - n_bad} ok, {n_bad} failed")
    return 0 if record["ok"] else 1


def cmd_sweep(args) -> int:
    from .sweep import parse_grid, run_sweep

    grid = parse_grid(args.name, args.param, notebook_dir=args.notebook_dir)
    result = run_sweep(args.name, grid, quick=args.quick, scheduler=args.scheduler, n_workers=args.workers,
                       out_dir=args.out, notebook_dir=args.notebook_dir)
    print(f"augbench: sweep {result['n_ok']} ok, {result['n_failed']} failed, {result['n_skipped']} resumed "
          f"-> {result['path']}")
    return 0 if result["n_failed"] == 0 else 1


def cmd_data(args) -> int:
    from . import data

    if args.action == "list":
        for name, e in data.manifest().items():
            print(f"{name}\t{e.bytes}\t{e.licence}")
        return 0
    bad = data.verify_all()
    n = len(data.manifest())
    for name, msg in bad:
        print(f"FAIL {name}: {msg}")
    print(f"{n - len(bad)}/{n} data files verified")
    return 1 if bad else 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from .reports import NotebookNotFound, ParameterError

    try:
        return {"list": cmd_list, "report": cmd_report, "serve": cmd_serve, "sweep": cmd_sweep,
                "data": cmd_data}[args.command](args)
    except (ParameterError, NotebookNotFound) as exc:
        print(f"augbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("augbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
