"""The two sides of an A/B run: A is another commit (`BASE`), B is the working tree.

A is checked out in a temporary git worktree with a virtual environment of its own (`uv sync --frozen` from that
commit's lock file, on the working tree's interpreter, so the two sides differ only by the commit), and both sides'
gateways are started through their own CLI. The worktree and its environment are removed when the run ends, however
it ends; `git worktree prune` clears the record of one a killed run left behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Side:
    key: str
    """`A` (the base commit) or `B` (the working tree)."""
    label: str
    root: Path
    gateway: Path
    """Its `gateway` console script."""
    commit: str


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def working_tree() -> Side:
    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    label = f"working tree ({head[:10]}{' + uncommitted changes' if dirty else ''})"
    return Side("B", label, ROOT, Path(sys.executable).parent / "gateway", head)


def find_uv(given: str | None) -> str:
    """The uv the Makefile uses (`UV`), else one on PATH, else the one `make` installs under .tools."""
    for candidate in (given, os.environ.get("UV"), shutil.which("uv"), str(ROOT / ".tools" / "bin" / "uv")):
        if candidate and Path(candidate).is_file():
            return str(Path(candidate).resolve())
    raise SystemExit("A/B needs uv to build the base commit's environment: pass --uv or set UV")


def base_interpreter() -> Path:
    """The interpreter the working tree's environment was made from."""
    return Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"


@contextmanager
def base_side(ref: str, work: Path, uv: str) -> Iterator[Side]:
    """Side A: `ref` checked out and installed under `work`, removed afterwards."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    tree = work / f"base-{commit[:12]}"
    git("worktree", "prune")
    git("worktree", "add", "--detach", str(tree), commit)
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
        print(f"== building {ref} ({commit[:10]}) in {tree}", flush=True)
        built = subprocess.run(
            [uv, "sync", "--frozen", "--no-dev", "--python", str(base_interpreter())],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        if built.returncode:
            raise SystemExit(f"uv sync of {ref} failed:\n{built.stderr[-2000:]}")
        yield Side("A", f"{ref} ({commit[:10]})", tree, tree / ".venv" / "bin" / "gateway", commit)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(tree, ignore_errors=True)
        git("worktree", "prune")
