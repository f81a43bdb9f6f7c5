"""The set-up asks the package manager only for what is missing, and never for a package
that conflicts with what is installed: scripts/system-packages.sh run on faked machines
(a PATH of stand-in tools, a recording apt-get), so no root and no network are needed."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages.sh"
EVERY_COMMAND = ["xelatex", "kpsewhich", "latexmk", "pdf2svg", "pdftotext", "ip", "node", "npm"]
EVERY_TEX_FILE = ["fontspec.sty", "tikz.sty", "standalone.cls", "phvr8t.tfm", "lmodern.sty"]
# dpkg's word on the nodejs package where Node.js came from elsewhere: none (nvm, a
# tarball) or NodeSource's.
NODEJS_NOT_FROM_DEBIAN = ["", "install ok installed 20.20.2-1nodesource1"]
FONTS = ["opentype/freefont/FreeSerif.otf", "truetype/dejavu/DejaVuSans.ttf"]


def tool(folder, name, body):
    path = folder / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def run_on_machine(tmp_path, commands=EVERY_COMMAND, tex_files=EVERY_TEX_FILE,
                   chromium=True, root=True, nodejs_package="", apt_conflict=False, apt=True):
    """Runs the script on a faked machine; returns (exit code, output, apt-get calls)."""
    bin_dir, record = tmp_path / "bin", tmp_path / "apt-get.calls"
    bin_dir.mkdir()
    for name in commands:
        if name != "kpsewhich":
            tool(bin_dir, name, "exit 0")
    if "kpsewhich" in commands:
        listed = " ".join(tex_files)
        tool(bin_dir, "kpsewhich", f'for f in {listed}; do [ "$f" = "$1" ] && echo /tex/$1; done; exit 0')
    tool(bin_dir, "id", f'echo {0 if root else 1000}')
    tool(bin_dir, "dpkg-query", f'printf "%s" "{nodejs_package}"; [ -n "{nodejs_package}" ]')
    conflict = 'echo "nodejs : Conflicts: npm"; exit 100' if apt_conflict else "exit 0"
    if apt:
        tool(bin_dir, "apt-get",
             f'echo "$*" >> {record}\ncase " $* " in *" --simulate "*) {conflict};; esac; exit 0')
    fonts = tmp_path / "fonts"
    for font in FONTS:
        (fonts / font).parent.mkdir(parents=True, exist_ok=True)
        (fonts / font).write_text("")
    script = SCRIPT.read_text().replace("/usr/share/fonts/", f"{fonts}/")
    (tmp_path / "system-packages.sh").write_text(script)
    browser = tmp_path / "chromium"
    if chromium:
        tool(tmp_path, "chromium", "exit 0")
    env = {"PATH": str(bin_dir), "COURSE_CHROMIUM": str(browser), "HOME": str(tmp_path)}
    result = subprocess.run(["/bin/bash", str(tmp_path / "system-packages.sh")], env=env,
                            capture_output=True, text=True, timeout=60)
    calls = record.read_text().splitlines() if record.exists() else []
    return result.returncode, result.stdout + result.stderr, calls


def installed_packages(calls):
    """The packages of the one real `apt-get install` call (not the dry run)."""
    installs = [call for call in calls if call.split()[0] == "install" and "--simulate" not in call]
    assert len(installs) == 1, f"expected one apt-get install, saw {calls}"
    return {word for word in installs[0].split() if not word.startswith("-") and word != "install"}


def test_a_complete_machine_installs_nothing(tmp_path):
    code, output, calls = run_on_machine(tmp_path)
    assert (code, calls) == (0, []), output


def test_only_the_missing_tools_packages_are_asked_for(tmp_path):
    commands = [c for c in EVERY_COMMAND if c not in ("pdf2svg", "latexmk")]
    code, output, calls = run_on_machine(tmp_path, commands=commands, chromium=False)
    assert code == 0, output
    assert calls[0].split()[0] == "update"
    assert installed_packages(calls) == {"pdf2svg", "latexmk", "chromium"}
    assert "Missing: latexmk pdf2svg" in output


def test_a_missing_tex_package_is_found_by_its_file(tmp_path):
    tex_files = [f for f in EVERY_TEX_FILE if f != "tikz.sty"]
    code, output, calls = run_on_machine(tmp_path, tex_files=tex_files)
    assert code == 0, output
    assert installed_packages(calls) == {"texlive-pictures"}


@pytest.mark.parametrize("nodejs_package", NODEJS_NOT_FROM_DEBIAN)
def test_nodejs_with_its_own_npm_is_left_alone(tmp_path, nodejs_package):
    """NodeSource's (or nvm's) Node.js brings npm: Debian's npm, which conflicts, is never asked for."""
    commands = [c for c in EVERY_COMMAND if c != "pdf2svg"]
    code, output, calls = run_on_machine(tmp_path, commands=commands, nodejs_package=nodejs_package)
    assert code == 0, output
    assert installed_packages(calls) == {"pdf2svg"}


@pytest.mark.parametrize("nodejs_package", NODEJS_NOT_FROM_DEBIAN)
def test_nodejs_without_npm_from_another_source_gets_advice_not_debians_npm(tmp_path, nodejs_package):
    commands = [c for c in EVERY_COMMAND if c != "npm"]
    code, output, calls = run_on_machine(tmp_path, commands=commands, nodejs_package=nodejs_package)
    assert code == 1
    assert calls == []
    assert "npm is not on the PATH" in output and "same source" in output


def test_debians_nodejs_without_npm_gets_debians_npm(tmp_path):
    commands = [c for c in EVERY_COMMAND if c != "npm"]
    code, output, calls = run_on_machine(tmp_path, commands=commands,
                                         nodejs_package="install ok installed 18.20.4+dfsg-1~deb12u2")
    assert code == 0, output
    assert installed_packages(calls) == {"npm"}


def test_an_empty_machine_gets_every_package(tmp_path):
    code, output, calls = run_on_machine(tmp_path, commands=[], tex_files=[], chromium=False)
    assert code == 0, output
    assert installed_packages(calls) == {
        "texlive-xetex", "lmodern", "texlive-pictures", "texlive-latex-extra",
        "texlive-fonts-recommended", "latexmk", "pdf2svg", "poppler-utils", "chromium",
        "iproute2", "npm"}


def test_without_root_it_prints_the_exact_command(tmp_path):
    commands = [c for c in EVERY_COMMAND if c != "pdftotext"]
    code, output, calls = run_on_machine(tmp_path, commands=commands, root=False)
    assert code == 1 and calls == []
    assert "sudo apt-get install -y --no-install-recommends poppler-utils\n" in output


def test_without_apt_get_it_names_the_missing_tools(tmp_path):
    commands = [c for c in EVERY_COMMAND if c != "latexmk"]
    code, output, calls = run_on_machine(tmp_path, commands=commands, apt=False)
    assert code == 1 and calls == []
    assert "No apt-get here" in output and "latexmk" in output


def test_a_conflict_is_explained_and_nothing_is_installed(tmp_path):
    commands = [c for c in EVERY_COMMAND if c != "ip"]
    code, output, calls = run_on_machine(tmp_path, commands=commands, apt_conflict=True)
    assert code == 1
    assert not any(c.startswith("install") and "--simulate" not in c for c in calls), calls
    assert "Conflicts" in output and "cannot install iproute2" in output


def test_the_fonts_it_checks_are_the_script_s_own_paths():
    """The fake machine rewrites the font folder; the script must still name it."""
    assert SCRIPT.read_text().count("/usr/share/fonts/") == len(FONTS)
