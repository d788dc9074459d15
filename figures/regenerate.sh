#!/usr/bin/env bash
# Regenerate the README gallery (figures/ and figures/index.html) with one command:
#   bash figures/regenerate.sh        (from anywhere; extra arguments go to the gallery)
# which is `vizlearn gallery figures`; open figures/index.html to browse it offline.
# The MNIST entries train on the first 8 000 t10k images and test on the last 2 000
# of $VIZLEARN_MNIST_DIR (default ../shared/data/mnist); without that folder
# they are skipped and listed.
set -euo pipefail
cd "$(dirname "$0")/.."
mnist="${VIZLEARN_MNIST_DIR:-../shared/data/mnist}"
data=()
if [ -d "$mnist" ]; then
  data=(--data-dir "$mnist" --split-from-test 8000)
fi
python -m vizlearn gallery figures "${data[@]}" "$@"
ls -l figures
