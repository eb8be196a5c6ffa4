#!/bin/sh
# The image's install steps, in one place: the Dockerfile runs this, and so does tests/test_deploy.py, into a
# fresh virtualenv, so what the tests start is what the image starts.
#
#   deploy/install.sh VENV [DIST]
#
# Builds the cafebot wheel from this checkout (copied to DIST when given), creates the virtualenv VENV and
# installs the wheel with its dependencies at the versions requirements.lock pins. PYTHON picks the interpreter.
set -eu

VENV=${1:?usage: deploy/install.sh VENV [DIST]}
DIST=${2:-}
PYTHON=${PYTHON:-python3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
LOCK="$SRC/requirements.lock"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT INT TERM

# Build from a copy of just what the wheel is made of: setuptools reuses a build/ directory, so a file deleted
# from the checkout (or any stray local file) could otherwise ride along into the image. This also leaves the
# checkout untouched.
mkdir "$STAGE/src"
for item in pyproject.toml setup.py MANIFEST.in README.md bot prompts knowledge; do
    cp -R "$SRC/$item" "$STAGE/src/"
done
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$STAGE/dist" "$STAGE/src"
set -- "$STAGE"/dist/cafebot-*.whl
WHEEL=$1
if [ -n "$DIST" ]; then
    mkdir -p "$DIST"
    cp "$WHEEL" "$DIST/"
fi

"$PYTHON" -m venv "$VENV"
# The lock is a constraint, not a list to install: it also pins the test tools (pytest, pyarrow, ...), which
# the image does not need. Every package the wheel pulls in must be pinned there; the check below enforces it.
"$VENV/bin/python" -m pip install --quiet --constraint "$LOCK" "$WHEEL"
"$VENV/bin/python" - "$LOCK" <<'PY'
import re
import sys
from importlib.metadata import distributions


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


pinned = {}
for line in open(sys.argv[1], encoding="utf-8"):
    name, sep, version = line.split("#")[0].strip().partition("==")
    if sep:
        pinned[norm(name)] = version.strip()
installed = {norm(d.metadata["Name"]): d.version for d in distributions()}
loose = sorted(f"{n}=={v}" for n, v in installed.items()
               if n not in {"cafebot", "pip", "setuptools", "wheel"} and pinned.get(n) != v)
if loose:
    sys.exit("not pinned by requirements.lock (run `make lock`): " + ", ".join(loose))
PY
echo "cafebot installed into $VENV from $(basename "$WHEEL")"
