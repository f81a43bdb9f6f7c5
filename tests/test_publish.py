"""The GitHub Actions workflow publishes what the README's commands build."""

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
