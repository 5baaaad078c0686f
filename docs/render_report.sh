#!/bin/sh
# Render a qualcode Word report to one PNG per page, to look at it as a reader would.
#
#   sh docs/render_report.sh reports/study-report.docx [OUT_DIR]
#
# Needs LibreOffice (headless) and poppler's pdftoppm:
#   apt-get install libreoffice-writer-nogui poppler-utils
# Writes OUT_DIR/study-report.pdf and OUT_DIR/page-1.png, page-2.png, ... (100 dpi).
set -eu
docx="$1"
out="${2:-$(dirname "$docx")/rendered}"
mkdir -p "$out"
# A private LibreOffice profile, so a desktop LibreOffice that is open does not block the conversion.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$docx" >/dev/null
pdf="$out/$(basename "${docx%.*}").pdf"
pdftoppm -r 100 -png "$pdf" "$out/page"
ls "$out"/page-*.png
