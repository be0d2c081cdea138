#!/bin/bash
# The whole test suite: installs the Debian packages the tests drive for real (when missing and when
# running as root), then builds and runs every test (unit tests in surefire, multi-process tests in
# failsafe against target/clusterd.jar).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have ip || need+=(iproute2)
have arping || need+=(arping)
have setsid || need+=(util-linux)
have rsync || need+=(rsync)
have snmpget || need+=(snmp)
have snmptrapd || need+=(snmptrapd)
have smilint || need+=(smitools)
[ -x /usr/lib/nagios/plugins/check_snmp ] || need+=(monitoring-plugins-standard)

if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing: ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "missing packages (run as root to install them): ${need[*]}" >&2
    fi
fi

exec mvn -B -ntp verify "$@"
