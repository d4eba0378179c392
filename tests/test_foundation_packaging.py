"""Install paths agree, torch is pinned everywhere, `import augbench` stays light, CI runs the README's test command."""
import re
import subprocess
import sys
import tomllib

import yaml


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower().replace("_", "-")


def test_env_yml_and_pyproject_agree(root):
    proj = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = proj["dependencies"] + proj["optional-dependencies"]["test"] + proj["optional-dependencies"]["peers"]
    env = yaml.safe_load((root / "env.yml").read_text())
    pip_deps = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = [d for d in pip_deps if not d.startswith("-")]
    assert sorted(map(_norm, listed)) == sorted(map(_norm, wanted))
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"] if isinstance(d, str))


def test_torch_pinned_in_every_install_path(root):
    assert "torch==2.13.0" in (root / "constraints.txt").read_text()
    proj = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert "torch==2.13.0" in proj["dependencies"]
    mk = (root / "Makefile").read_text()
    assert "-c constraints.txt" in mk
    assert "torch==2.13.0" in (root / "env.yml").read_text()


def test_import_augbench_is_light():
    code = ("import sys, augbench, augbench.grna, augbench.bci, augbench.cognition, augbench.data; "
            "heavy = [m for m in ('torch', 'panel', 'holoviews', 'mne', 'sklearn', 'xarray', 'papermill', 'dask') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import augbench pulled in heavy modules: {out}"


def test_ci_runs_readme_test_command(root):
    ci = [ln.strip() for ln in (root / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.strip().startswith(("#", "set ", "cd "))]
    readme = (root / "README.md").read_text()
    assert ci[-1] == "make test"
    assert "make test" in readme and "make report" in readme
