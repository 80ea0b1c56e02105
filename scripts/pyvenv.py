"""A project-local Python venv for the scripts that need packages (peer benchmarks,
analyses): created on first use under `.recoupe/` (git-ignored), packages from PyPI."""

import subprocess
import sys
from pathlib import Path


def ensure_venv(venv: Path, packages: list, modules: str) -> Path:
    """Creates `venv` if missing and installs `packages` unless `import <modules>` works
    in it; returns its python."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with {' '.join(packages)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", f"import {modules}"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    return python
