#!/bin/sh
# Installs Debian's chromium for the web console's browser test
# (TestConsoleInABrowser), when it is missing: `make test-deps` runs it.
# It needs root and Debian's package archive; it says so and fails
# otherwise.
set -e
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-chromium: not root, cannot apt-get install chromium" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-chromium: no apt-get here (not Debian)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
