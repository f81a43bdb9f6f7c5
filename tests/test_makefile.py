"""What the Makefile's commands would run (`make -n`, nothing executed)."""

import subprocess

from conftest import REPO_ROOT


def planned(*targets):
    return subprocess.run(["make", "-n", "-B", *targets], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=True).stdout


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
