#!/usr/bin/env bash
# Checks the system tools the book needs and installs the missing ones on Debian/Ubuntu
# (as root, or with passwordless sudo); otherwise prints the exact command to run.
#   xelatex + TikZ: the TikZ figures (sphinxcontrib-tikz) and the PDF book
#   pdf2svg:        turns each TikZ figure into an SVG for the HTML book
#   chromium:       the browser of the tests (driven by Playwright)
#   iproute2:       brings up the loopback interface of the tests' offline namespace
#   npm:            installs Thebe, which the HTML book serves for Live Code, and ESLint,
#                   which lints the course's JavaScript in the tests
set -euo pipefail

packages=(texlive-xetex texlive-latex-extra texlive-pictures texlive-fonts-recommended
          lmodern fonts-freefont-otf latexmk pdf2svg poppler-utils chromium fonts-dejavu-core iproute2
          npm)

missing() {
  command -v xelatex >/dev/null || return 0
  command -v pdf2svg >/dev/null || return 0
  command -v latexmk >/dev/null || return 0
  command -v pdftotext >/dev/null || return 0
  [ -x /usr/bin/chromium ] || return 0
  command -v ip >/dev/null || return 0
  command -v npm >/dev/null || return 0
  kpsewhich tikz.sty >/dev/null || return 0
  kpsewhich fontspec.sty >/dev/null || return 0
  return 1
}

missing || exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "The book needs TeX Live (xelatex, TikZ), pdf2svg and, for its tests, Chromium; some are missing." >&2
  echo "Run, as an administrator:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "No apt-get here: install TeX Live with xelatex and TikZ, latexmk, pdf2svg, poppler-utils, chromium and npm with your system's package manager." >&2
  exit 1
fi
echo "Installing system packages: ${packages[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
