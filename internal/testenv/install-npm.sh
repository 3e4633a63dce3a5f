#!/bin/sh
# Installs from the npm registry, into test-output/npm, the packages the
# tests use when they are missing: axe-core, the accessibility checker the
# console's browser test runs in each page (TestConsoleInABrowser), and
# nats, the client of the Node.js example (TestNodeSubscriber). `make
# test-deps` runs it. It needs npm (Debian's, installed with apt-get as
# root when missing); it says so and fails otherwise. Nothing it installs
# is kept in the repository.
set -e
dir=test-output/npm
packages="axe-core@4.10.3 nats@2.29.3"
have() { # package@version is installed
	name=${1%@*} version=${1##*@}
	grep -q "\"version\": \"$version\"" "$dir/node_modules/$name/package.json" 2>/dev/null
}
missing=0
for p in $packages; do
	have "$p" || missing=1
done
[ "$missing" = 0 ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install-npm: no npm here, and not root on Debian to apt-get install it" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
mkdir -p "$dir"
# shellcheck disable=SC2086 # the packages are words
npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error $packages >/dev/null
for p in $packages; do
	have "$p" || { echo "install-npm: $p is not installed in $dir" >&2; exit 1; }
done
