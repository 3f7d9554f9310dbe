#!/usr/bin/env bash
# Runs every test: installs what the tests need when it is missing (Debian packages), then dotnet test.
# Usage: build/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Closure]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
need=()
for tool in skopeo:skopeo umoci:umoci strace:strace busybox:busybox-static gcc:gcc unshare:util-linux ip:iproute2 docker-registry:docker-registry zstd:zstd gzip:gzip; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "build/test.sh: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cd "$root"
dotnet build SlimImage.sln -c Release -nodeReuse:false -v:q
dotnet test tests/SlimImage.Tests/SlimImage.Tests.csproj -c Release --no-build -nodeReuse:false \
  --logger "console;verbosity=normal" "$@"
