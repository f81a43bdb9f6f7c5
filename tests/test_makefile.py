"""What the Makefile's commands would run (`make -n`, nothing executed)."""

import os
import subprocess

from conftest import REPO_ROOT


def planned(*targets):
    # As a user would type it, also when the tests themselves run under `make test`.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "--no-print-directory", "-n", "-B", *targets], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True, env=env).stdout


def test_the_light_path_installs_no_system_package():
    """`make lab`, for students who only run the pages: the Python packages and JupyterLab."""
    plan = planned("lab")
    assert "system-packages.sh" not in plan and "npm" not in plan
    assert "pip install --quiet -r binder/requirements.txt" in plan
    assert "jupyterlab==" in plan and "-c requirements.txt" in plan
    assert plan.strip().endswith("jupyter lab book/")


def test_the_build_and_the_tests_check_the_system_packages():
    for target in ["book", "test"]:
        assert "scripts/system-packages.sh" in planned(target), target
