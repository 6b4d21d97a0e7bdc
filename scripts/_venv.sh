# Sourced by scripts/serve and scripts/test: create .venv, install the project, compile translations.
install_venv() {
  local extras="$1"
  if ! command -v python3 >/dev/null; then
    echo "Python 3.11 or newer is needed (python3 was not found)." >&2
    exit 1
  fi
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Python 3.11 or newer is needed; found $(python3 --version)." >&2
    exit 1
  }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>/dev/null
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c 'import screener' 2>/dev/null || {
    echo "Installing the project failed." >&2
    exit 1
  }
  if [ -d screener/translations ]; then
    .venv/bin/pybabel compile -d screener/translations
  fi
}
