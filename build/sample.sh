#!/usr/bin/env bash
# Builds the sample's image: packs SlimImage.Sdk from this checkout into artifacts/packages, then publishes
# samples/ConsoleApp with it. Usage: build/sample.sh [aot|self-contained] [extra dotnet publish arguments]
# Prints the path of the image archive on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build/dev-packages.sh"
mode=${1:-aot}; shift || true
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# A unique pre-release per pack: NuGet caches packages by version, and a stale task assembly would be used silently.
version="0.1.0-dev.$(date +%s)"
mkdir -p "$root/artifacts/packages"
dotnet pack "$root/src/SlimImage.Sdk/SlimImage.Sdk.csproj" -c Release -o "$root/artifacts/packages" \
  -p:SlimImageVersion="$version" -nodeReuse:false -v:q
# The versions earlier runs packed are of no further use.
prune_dev_packages dev "$version" "$root/artifacts/packages"
case "$mode" in
  aot) flags=(-p:PublishAot=true) ;;
  self-contained) flags=(--self-contained) ;;
  *) echo "usage: $0 [aot|self-contained] [dotnet publish args]" >&2; exit 2 ;;
esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
dotnet publish "$root/samples/ConsoleApp/ConsoleApp.csproj" -c Release -r linux-x64 "${flags[@]}" \
  -p:SlimImageSdkVersion="$version" -p:SlimImageArchiveOutputPath="$root/artifacts/images/consoleapp-$mode.tar" \
  -nodeReuse:false "$@" | tee "$out"
grep -q "consoleapp-$mode.tar" "$out"
echo "$root/artifacts/images/consoleapp-$mode.tar"
