#!/bin/sh
# deps.sh PKG... - make sure Debian packages are installed.  As root it
# installs what is missing with apt-get; otherwise it names the command to
# run and fails.  Used by the Makefile and by .ci/run.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q $missing; } >&2 || exit 1
    exit 0
fi
echo "missing packages:$missing" >&2
echo "install them with: sudo apt-get install -y$missing" >&2
exit 1
