# What the Python suite scripts (scripts/browser-tests, scripts/blackbox-tests, scripts/deploy-tests) share: installing
# what is missing, and running pytest with a time limit and a one-line summary (scripts/dashboard-bench uses the
# installing part). Sourced, not run: the script sets `suite` to its name first and works from the repository root.
#
#   suite=deploy-tests
#   source "$root/scripts/lib/suite.sh"
#   apt_install_missing redis-server=redis-server || exit 1
#   ensure_python || exit 1
#   pip_install_missing "pytest, yaml" pytest pyyaml || { say "could not install pytest pyyaml"; exit 1; }
#   run_pytest 180 "$artifacts" Tests/deploy "$@"
#   finish_suite "$artifacts"

python=python3

say() { printf '%s: %s\n' "$suite" "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*"; return 1
    fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# apt_install_missing command=package...: installs, in one go, the package of every command that is not on PATH.
apt_install_missing() {
    local pair missing=()
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
    done
    [ "${#missing[@]}" -gt 0 ] || return 0
    say "installing ${missing[*]}"
    apt_install "${missing[@]}" || { say "could not install ${missing[*]}"; return 1; }
}

ensure_python() {
    command -v "$python" >/dev/null || { say "installing python3"; apt_install python3 python3-pip; }
}

# pip_install_missing "module, module..." package...: installs the packages from PyPI unless every module imports
# already (on Debian's Python, which refuses a plain `pip install`, with --break-system-packages).
pip_install_missing() {
    local modules=$1
    shift
    "$python" -c "import $modules" 2>/dev/null && return 0
    say "installing $*"
    "$python" -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null ||
        "$python" -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

# require_maestro_binaries [build command]: exits unless maestro-server and maestro are in MAESTRO_BIN_DIR, saying how
# to build them (default: swift build).
require_maestro_binaries() {
    local binary build=${1:-swift build}
    for binary in maestro-server maestro; do
        if [ ! -x "$MAESTRO_BIN_DIR/$binary" ]; then
            say "$MAESTRO_BIN_DIR/$binary is missing: build first ($build), or set MAESTRO_BIN_DIR"
            exit 1
        fi
    done
}

# run_pytest <seconds> <artifacts dir> <suite dir> [pytest arguments...]: runs the whole suite directory, unless the
# arguments name test files (or node ids) under it, with a JUnit report in the artifacts directory; `seconds` is a
# hard limit that only guards against a hang. Sets pytest_status and elapsed for finish_suite.
run_pytest() {
    pytest_limit=$1
    report="$2/junit.xml"
    local directory=$3 argument started
    shift 3
    local targets=("$directory")
    for argument in "$@"; do
        case "$argument" in "$directory"/*) targets=() ;; esac
    done
    started=$(date +%s)
    timeout --kill-after=10 "$pytest_limit" "$python" -m pytest "${targets[@]}" -q --junitxml="$report" "$@"
    pytest_status=$?
    elapsed=$(( $(date +%s) - started ))
}

# finish_suite <artifacts dir>: prints where the artifacts are and, last, "<suite>: N passed, N failed" (", N skipped"
# when some were) from the JUnit report (a run that failed without saying which test counts as one failure); exits
# with pytest's status.
finish_suite() {
    local summary
    summary=$("$python" - "$report" <<'PYTHON' 2>/dev/null
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
failed = failures + errors
line = f"{tests - failed - skipped} passed, {failed} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
PYTHON
    ) || summary=""
    if [ -z "$summary" ]; then
        summary="0 passed, 1 failed"
        [ "$pytest_status" -eq 124 ] && say "timed out after $pytest_limit s"
    fi
    [ "$pytest_status" -eq 0 ] || [ "${summary#* passed, }" != "0 failed" ] ||
        summary="${summary%% passed*} passed, 1 failed"
    echo "artifacts: $1 (${elapsed} s)"
    echo "$suite: $summary"
    exit "$pytest_status"
}
