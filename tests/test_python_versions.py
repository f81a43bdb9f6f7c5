"""The pinned requirements install on the Pythons the course names: its minimum (README,
pyproject.toml), Binder's (binder/runtime.txt) and Colab's. Uses PyPI: `make test` runs
it apart from the offline tests."""

import re
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

COLAB_PYTHON = "3.12"  # the Python Google Colab runs (2026)
# Pins published only as a source archive: no wheel to resolve for a given Python, so
# they are checked apart (the version exists, as a source archive).
SOURCE_ONLY = {"sphinxcontrib-tikz"}

pytestmark = pytest.mark.network


def stated_minimum():
    requires = re.search(r'requires-python = ">=(3\.\d+\.\d+)"', (REPO_ROOT / "pyproject.toml").read_text())
    readme = re.search(r"Python (3\.\d+\.\d+) or newer", (REPO_ROOT / "README.md").read_text())
    assert requires and readme, "pyproject.toml and README.md must state the minimum Python"
    assert requires[1] == readme[1], f"pyproject.toml says {requires[1]}, README.md {readme[1]}"
    return requires[1]


def binder_python():
    runtime = (REPO_ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-3.X, not {runtime!r}"
    return match[1] + ".99"  # Binder installs the newest release of that minor version


def requirements_without_source_only(tmp_path):
    lines = [line for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
             if line.split("==")[0].strip().lower() not in SOURCE_ONLY]
    path = tmp_path / "requirements-wheels.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_resolving(version, requirements, target):
    """pip's resolution of the requirements for another Python, wheels only, nothing
    installed; returns the running process (pip mostly waits on PyPI, so they run at once)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--python-version", version, "--only-binary=:all:", "--target", str(target),
         "-r", str(requirements)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def unavailable_pins(stderr):
    return re.findall(r"No matching distribution found for (\S+)", stderr)


def just_below(version):
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) - 1}" if int(patch) else f"{major}.{int(minor) - 1}.99"


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory):
    """{who: (Python version, pip's return code, its error output)} for the course's
    Pythons and for the one just below the stated minimum, all resolved at once."""
    folder = tmp_path_factory.mktemp("resolutions")
    requirements = requirements_without_source_only(folder)
    versions = {"minimum": stated_minimum(), "binder": binder_python(), "colab": COLAB_PYTHON,
                "below minimum": just_below(stated_minimum())}
    processes = {who: start_resolving(version, requirements, folder / who.replace(" ", "-"))
                 for who, version in versions.items()}
    results = {}
    for who, process in processes.items():
        _, stderr = process.communicate()
        results[who] = (versions[who], process.returncode, stderr)
    return results


@pytest.mark.parametrize("who", ["minimum", "binder", "colab"])
def test_every_pin_exists_for_the_python(who, resolutions):
    version, returncode, stderr = resolutions[who]
    assert returncode == 0, (
        f"requirements.txt cannot be installed on Python {version} ({who}): no release for "
        f"{unavailable_pins(stderr) or 'see below'}\n{stderr[-3000:]}")


def test_the_stated_minimum_is_the_real_one(resolutions):
    """Just below the stated minimum, some pin has no release."""
    below, returncode, stderr = resolutions["below minimum"]
    assert returncode != 0 and unavailable_pins(stderr), (
        f"requirements.txt installs on Python {below}: the stated minimum is too high")


def test_just_below():
    assert just_below("3.11.4") == "3.11.3" and just_below("3.11.0") == "3.10.99"


@pytest.mark.parametrize("name", sorted(SOURCE_ONLY))
def test_source_only_pins_exist(name, tmp_path):
    pin = next(line.split("#")[0].strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
               if line.lower().startswith(f"{name}=="))
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                             "--no-binary=:all:", "--no-build-isolation", "-d", str(tmp_path), pin],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{pin} is not on PyPI as a source archive:\n{result.stderr[-2000:]}"
