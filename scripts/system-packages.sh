#!/usr/bin/env bash
# Checks the system tools the book needs and installs, on Debian/Ubuntu, only the packages
# of the tools that are missing (as root, or with passwordless sudo); otherwise prints the
# exact command to run. A tool already there counts, whatever installed it: Node.js and
# npm from Debian, NodeSource or nvm are all fine.
#   xelatex + TikZ: the TikZ figures (sphinxcontrib-tikz) and the PDF book
#   pdf2svg:        turns each TikZ figure into an SVG for the HTML book
#   latexmk, pdftotext: build the PDF book, and read it in the tests
#   chromium:       the browser of the tests (driven by Playwright)
#   ip:             brings up the loopback interface of the tests' offline namespace
#   npm:            installs Thebe, which the HTML book serves for Live Code, and ESLint,
#                   which lints the course's JavaScript in the tests
# COURSE_CHROMIUM names the browser to look for (the tests drive Debian's by default).
set -euo pipefail

chromium="${COURSE_CHROMIUM:-/usr/bin/chromium}"

# Each check, then the Debian packages that satisfy it when it fails.
checks=(
  "command xelatex|texlive-xetex"
  "tex lmodern.sty|lmodern"
  "file /usr/share/fonts/opentype/freefont/FreeSerif.otf|fonts-freefont-otf"
  "file /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf|fonts-dejavu-core"
  "tex fontspec.sty|texlive-xetex"
  "tex tikz.sty|texlive-pictures"
  "tex standalone.cls|texlive-latex-extra"
  "tex phvr8t.tfm|texlive-fonts-recommended"
  "command latexmk|latexmk"
  "command pdf2svg|pdf2svg"
  "command pdftotext|poppler-utils"
  "file $chromium|chromium"
  "command ip|iproute2"
  "command npm|npm"
)

satisfied() {  # satisfied KIND WHAT
  case "$1" in
    command) command -v "$2" >/dev/null ;;
    file) [ -e "$2" ] ;;
    tex) command -v kpsewhich >/dev/null && [ -n "$(kpsewhich "$2" 2>/dev/null)" ] ;;
  esac
}

missing_tools=()
packages=()
for check in "${checks[@]}"; do
  read -r kind what <<<"${check%%|*}"
  satisfied "$kind" "$what" && continue
  missing_tools+=("$what")
  for package in ${check#*|}; do
    [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
  done
done

[ ${#packages[@]} -eq 0 ] && exit 0

# npm is the one tool whose Debian package can conflict with what is there: NodeSource's
# and nvm's Node.js bring their own npm, and NodeSource's `nodejs` package conflicts with
# Debian's `npm`. Node.js without npm is completed from its own source, never from Debian.
if [[ " ${packages[*]} " == *" npm "* ]] && command -v node >/dev/null; then
  node_version="$(node --version 2>/dev/null || echo unknown)"
  nodejs_package="$(dpkg-query -W -f='${Status} ${Version}' nodejs 2>/dev/null || true)"
  if [[ "$nodejs_package" != "install ok installed "* ]] || [[ "$nodejs_package" == *nodesource* ]]; then
    echo "Node.js $node_version is installed, but npm is not on the PATH." >&2
    echo "Install npm from the same source as this Node.js (NodeSource's nodejs package and nvm" >&2
    echo "include it; for nvm: 'nvm install-latest-npm'), then run make again." >&2
    exit 1
  fi
fi

echo "Missing: ${missing_tools[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "The book needs these system packages, and they can only be installed as an administrator." >&2
  echo "Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "No apt-get here: install these with your system's package manager: ${missing_tools[*]}" >&2
  echo "(on Debian they are in: ${packages[*]})" >&2
  exit 1
fi
echo "Installing system packages: ${packages[*]}"
"${sudo[@]}" apt-get update -q
# A dry run first, so that a conflict with what is installed is explained, not half-done.
if ! plan="$(DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install --simulate -y -q \
               --no-install-recommends "${packages[@]}" 2>&1)"; then
  echo "$plan" >&2
  echo "apt-get cannot install ${packages[*]} next to what is installed (above)." >&2
  echo "Install the missing tools (${missing_tools[*]}) another way, then run make again." >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
