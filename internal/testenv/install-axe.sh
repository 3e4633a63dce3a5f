#!/bin/sh
# Installs axe-core, the accessibility checker the console's browser test
# runs in each page (TestConsoleInABrowser), from the npm registry into
# test-output/npm when it is missing: `make test-deps` runs it. It needs
# npm (Debian's, installed with apt-get as root when missing); it says so
# and fails otherwise. Nothing it installs is kept in the repository.
set -e
version=4.10.3
dir=test-output/npm
if [ -f "$dir/node_modules/axe-core/axe.min.js" ] && grep -q "\"version\": \"$version\"" "$dir/node_modules/axe-core/package.json"; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install-axe: no npm here, and not root on Debian to apt-get install it" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "axe-core@$version" >/dev/null
test -f "$dir/node_modules/axe-core/axe.min.js"
