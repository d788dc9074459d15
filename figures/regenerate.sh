#!/usr/bin/env bash
# Regenerate the README gallery (figures/ and figures/index.html) with one command:
#   bash figures/regenerate.sh        (from anywhere)
# which is `vizlearn gallery figures`; open figures/index.html to browse it offline.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m vizlearn gallery figures "$@"
ls -l figures
