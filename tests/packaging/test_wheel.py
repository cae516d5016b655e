"""The wheel carries the resources, and an installed copy finds them without the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED = (
    "rethink_desktop/resources/cards/default.json",
    "rethink_desktop/resources/templates/family-network.json",
    "rethink_desktop/core/resources.py",
)
# Runs inside the installed copy: where are the resources, and does the default deck load?
PROBE = """
import json, rethink_desktop
from rethink_desktop.core.resources import resource_dir
from rethink_desktop.core.cards import load_default_deck
print(json.dumps({
    "package": rethink_desktop.__file__,
    "resources": str(resource_dir()),
    "cards": len(load_default_deck()),
}))
"""


def _offline_env(**extra: str) -> dict[str, str]:
    """The environment for pip and the probe: never reach for an index, no stray paths."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env.update(
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{args[:4]} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_wheel_ships_resources_and_finds_them_when_installed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    env = _offline_env()
    build = ["wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(REPO_ROOT)]
    _run([sys.executable, "-m", "pip", *build], cwd=tmp_path, env=env)
    wheels = list(dist.glob("rethink_desktop-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    missing = [name for name in REQUIRED if name not in names]
    assert not missing, f"the wheel lacks {missing}"

    site = tmp_path / "site"
    install = ["install", "--no-deps", "--target", str(site), str(wheels[0])]
    _run([sys.executable, "-m", "pip", *install], cwd=tmp_path, env=env)
    # From tmp_path, with only the installed copy on the path ahead of site-packages.
    probe = _run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=_offline_env(PYTHONPATH=str(site))
    )
    found = json.loads(probe.stdout)

    site = site.resolve()
    assert Path(found["package"]).resolve().is_relative_to(site)
    assert Path(found["resources"]).resolve().is_relative_to(site)
    assert found["cards"] >= 30
