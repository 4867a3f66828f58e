#!/usr/bin/env bash
# Build the Omnidesk desktop bundle with PyInstaller.
#
#   packaging/build.sh [--dist-dir DIR] [--onefile] [--no-install]
#
# Result: DIR/omnidesk/omnidesk (one folder, the default; DIR defaults to
# packaging/dist), or DIR/omnidesk with --onefile.  Run it with the Python
# that has omnidesk installed (python -m pip install -e .), since PyInstaller
# bundles that environment's packages.  PYTHON=... picks another interpreter.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
python="${PYTHON:-python}"
dist_dir="$here/dist"
onefile=0
install=1

while [ $# -gt 0 ]; do
    case "$1" in
        --dist-dir) dist_dir="$2"; shift 2 ;;
        --dist-dir=*) dist_dir="${1#*=}"; shift ;;
        --onefile) onefile=1; shift ;;
        --no-install) install=0; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$dist_dir"
dist_dir="$(cd "$dist_dir" && pwd)"
# Each dist dir gets its own work dir, so parallel builds (a test and a
# developer) do not trample each other's intermediate files.
work_dir="$dist_dir/.build"

if [ "$install" -eq 1 ]; then
    # Same range as the project's "packaging" extra in pyproject.toml.
    "$python" -m pip install --quiet "pyinstaller>=6.5,<7"
fi

# Raster icons are committed; this only draws sizes that are missing.
"$python" "$here/make_icons.py"

# The spec reads this to choose the variant.
if [ "$onefile" -eq 1 ]; then
    export OMNIDESK_ONEFILE=1
else
    unset OMNIDESK_ONEFILE
fi
target="$dist_dir/omnidesk"

start=$(date +%s)
(
    cd "$root"
    "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$dist_dir" --workpath "$work_dir" "$here/omnidesk.spec"
)
end=$(date +%s)

if [ "$onefile" -eq 1 ]; then
    exe="$target"
else
    exe="$target/omnidesk"
fi
[ -x "$exe" ] || [ -x "$exe.exe" ] || { echo "build.sh: no executable at $exe" >&2; exit 1; }

echo "Built $exe in $((end - start)) s"
echo "Bundle size: $(du -sh "$target" | cut -f1) ($target)"
