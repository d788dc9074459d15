#!/usr/bin/env bash
# Regenerate the README gallery: bash figures/regenerate.sh (from the repo root).
set -euo pipefail
cd "$(dirname "$0")"
v() { python -m vizlearn "$@" --quiet; }
v animate sin-regression --preset blog -o sin-regression.gif
v plot fit --preset blog -o fit.png
v plot loss --log --preset blog -o loss.png
v plot params --preset blog -o params.png
v plot activations --derivatives --preset blog -o activations.png
v plot fit --preset blog --lang ja --theme dark -o fit-ja-dark.png
ls -l
