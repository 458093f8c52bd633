#!/usr/bin/env bash
# Build the LeadAssist bundle with PyInstaller (packaging/leadassist.spec) into build/pyinstaller/, report how long
# it took and how big it is (folder and .tar.gz), then smoke-test the bundle itself: its console executable must
# pass `--selftest` (offscreen Qt, temporary database, offline enrichment of the bundled sample) and report the
# pyproject version. Exits non-zero if the build or either check fails. Works on Linux, macOS and Git Bash on
# Windows; run it from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
OUT=build/pyinstaller
DIST="$OUT/dist"
WORK="$OUT/work"
LOG="$OUT/pyinstaller.log"

if [ "$(uname -s)" = Linux ] && ! command -v objdump >/dev/null; then
  echo "PyInstaller needs objdump and strip on Linux: install binutils (sudo apt-get install binutils)" >&2
  exit 1
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  echo "installing the packaging extra (PyInstaller)"
  "$PYTHON" -m pip install -q -e '.[package]'
fi
now() { "$PYTHON" -c "import time; print(f'{time.time():.2f}')"; }  # portable: macOS date has no %N
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
version=$("$PYTHON" -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")

mkdir -p "$OUT"
rm -rf "$DIST"  # a stale bundle must never be the one that gets tested
echo "building LeadAssist $version with PyInstaller $("$PYTHON" -m PyInstaller --version) (log: $LOG)"
start=$(now)
if ! "$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK" \
  packaging/leadassist.spec >"$LOG" 2>&1; then
  tail -n 40 "$LOG"
  echo "PyInstaller failed (full log: $LOG)" >&2
  exit 1
fi
build_seconds=$(since "$start")

case "$(uname -s)" in
  Darwin)
    bundle="$DIST/LeadAssist.app"; exe="$bundle/Contents/MacOS/leadassist-gui"; platform="macos" ;;
  MINGW* | MSYS* | CYGWIN*)
    bundle="$DIST/leadassist"; exe="$bundle/leadassist.exe"; platform="windows" ;;
  *)
    bundle="$DIST/leadassist"; exe="$bundle/leadassist"; platform="linux" ;;
esac
[ -x "$exe" ] || { echo "bundle smoke test FAILED: no executable at $exe" >&2; exit 1; }

archive="$OUT/leadassist-$version-$platform-$(uname -m).tar.gz"
tar -czf "$archive" -C "$(dirname "$bundle")" "$(basename "$bundle")"
folder_mb=$(du -sk "$bundle" | awk '{printf "%.0f", $1 / 1024}')
archive_mb=$(du -sk "$archive" | awk '{printf "%.0f", $1 / 1024}')
files=$(find "$bundle" -type f | wc -l | tr -d ' ')
echo "built in ${build_seconds} s: $bundle = ${folder_mb} MB in $files files; $archive = ${archive_mb} MB"

# The smoke test runs the bundle, not the source tree: a temporary data dir keeps its logs off the real one.
smoke_dir=$(mktemp -d)
trap 'rm -rf "$smoke_dir"' EXIT
export LEADASSIST_DATA_DIR="$smoke_dir" QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
unset LEADASSIST_DB

start=$(now)
if ! selftest=$("$exe" --selftest 2>"$smoke_dir/stderr"); then
  echo "$selftest"; cat "$smoke_dir/stderr" >&2
  echo "bundle smoke test FAILED: --selftest exited non-zero" >&2
  exit 1
fi
echo "$selftest ($(since "$start") s including start-up)"
case "$selftest" in
  "selftest ok:"*) ;;
  *) echo "bundle smoke test FAILED: unexpected --selftest output" >&2; exit 1 ;;
esac
# Issue 15: the compiled ranking loops built here (pip install -e . with a C compiler) must be in the bundle too.
if [ "$("$PYTHON" -c 'from leadassist.core.compiled import COMPILED; print(COMPILED)')" = True ]; then
  case "$selftest" in
    *"compiled ranking loops"*) ;;
    *) echo "bundle smoke test FAILED: the compiled ranking loops were built but are not in the bundle" >&2; exit 1 ;;
  esac
fi

shown=$("$exe" --version)
if [ "$shown" != "LeadAssist $version" ]; then
  echo "bundle smoke test FAILED: --version printed '$shown', expected 'LeadAssist $version'" >&2
  exit 1
fi
echo "$shown"
echo "bundle smoke test passed"
