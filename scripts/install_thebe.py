"""Install Thebe, which the HTML book serves for Live Code, into node_modules/thebe.

Thebe is not an npm dependency of the course: its npm dependencies (some 950 packages,
580 MB) are already inside its bundle, lib/, the only part the book serves. So `make`
fetches the package's tarball alone with `npm pack`, checks it against the version and
the hash pinned in package.json (`thebeServedByTheBook`), and unpacks it. Run after
`npm ci`, which empties node_modules/.

Usage: python3 scripts/install_thebe.py
"""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN_KEY = "thebeServedByTheBook"


def pinned(root=ROOT):
    """Thebe's pinned version and integrity hash, from package.json."""
    pin = json.loads((Path(root) / "package.json").read_text()).get(PIN_KEY)
    if not pin or not {"version", "integrity"} <= set(pin):
        raise ValueError(f"package.json must pin Thebe: \"{PIN_KEY}\": "
                         '{"version": "...", "integrity": "sha512-..."}')
    return pin["version"], pin["integrity"]


def integrity(path):
    """The npm integrity string (Subresource Integrity form, sha512) of a file."""
    digest = hashlib.sha512(Path(path).read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def check_integrity(tarball, expected):
    found = integrity(tarball)
    if found != expected:
        raise ValueError(f"{Path(tarball).name}: integrity {found} is not the one pinned in "
                         f"package.json ({expected}); the download is corrupt or not the "
                         "pinned package")


def unpack(tarball, target):
    """Unpack an npm tarball (files under package/) into ``target``, replacing it."""
    if target.exists():
        shutil.rmtree(target)
    with tarfile.open(tarball) as archive, tempfile.TemporaryDirectory() as scratch:
        archive.extractall(scratch, filter="data")
        shutil.move(Path(scratch) / "package", target)


def install(root=ROOT):
    version, expected = pinned(root)
    with tempfile.TemporaryDirectory() as scratch:
        packed = subprocess.run(
            ["npm", "pack", f"thebe@{version}", "--json", "--pack-destination", scratch,
             "--loglevel=error"], capture_output=True, text=True, check=True)
        tarball = Path(scratch) / json.loads(packed.stdout)[0]["filename"]
        check_integrity(tarball, expected)
        unpack(tarball, Path(root) / "node_modules" / "thebe")
    print(f"Thebe {version} installed in node_modules/thebe")


if __name__ == "__main__":
    try:
        install()
    except (ValueError, subprocess.CalledProcessError) as error:
        sys.exit(f"install_thebe: {error}" + (f"\n{error.stderr}" if getattr(error, "stderr", None) else ""))
