#!/usr/bin/env bash
# Measures the SlimImage step against `tar -c | gzip -6` and `tar -c | pigz -6` of the same files, on samples/ConsoleApp
# published self-contained and with NativeAOT, and (mode "large") self-contained with large native NuGet packages
# (ONNX Runtime, SkiaSharp, libgit2, llama.cpp, Playwright's node driver: a publish of about 300 MB).
# Usage: build/benchmark.sh [runs (default 5)] [modes (default "self-contained aot large two-platforms")]
# Environment: COMPRESSION=gzip|zstd|none (default gzip), LEVEL (default: the format's). Installs pigz when missing.
#
# For each mode it prints the median over the runs of:
#   step (msbuild)   the SlimImage targets of a publish whose image has to be built (layer cache and record deleted),
#                    from -clp:PerformanceSummary: from the end of Publish to the archive written
#   step (alone)     the same work by build/bench's runner outside MSBuild: wall time, CPU time, peak RSS, and the
#                    managed memory it allocated (in MSBuild's large heap, each collection it sets off is a long pause)
#   tar|gzip -6      `tar -c | gzip -6` of the image's own files (the layer unpacked), the reference
#   tar|pigz -6      the same with pigz on every core, the parallel reference
#   no-change        the SlimImage targets of a second publish with nothing changed (the archive must stay as it was)
#   sbom cost        (one line per mode below the table) step (msbuild) with -p:SlimImageSbom=true against the same build
#                    with neither the SBOM nor the package lookup (-p:SlimImageScannerMetadata=false, the SBOM off as by
#                    default): what the SBOM, the file checksums and the dpkg lookup add together (issue 15: <= 10%)
# and the ratios step / tar|gzip and step / tar|pigz.
# Mode "two-platforms" (SlimImageRuntimeIdentifiers=linux-x64;linux-arm64, the sample self-contained) prints instead the
# runner's image step for both platforms (built at the same time, then joined into one archive) beside its step for
# linux-x64 alone, their ratio, and the peak RSS of the two-platform step; the publishes themselves are not in it. A
# second line gives what bounds that ratio: the CPU time of each step, the join's wall time, and the ratio the two
# platforms would reach with every core busy the whole time (their CPU time / cores / one platform's wall time).
# Other builds running on the machine make every figure noisy: CPU time is the steadier one, and wall time on an idle
# machine is about CPU time / cores for the compressing part.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build/sample-app.sh"
. "$root/build/dev-packages.sh"
runs=${1:-5}
modes=${2:-self-contained aot large two-platforms}
compression=${COMPRESSION:-gzip}
level=${LEVEL:-}
if ! command -v pigz >/dev/null 2>&1; then
  echo "installing pigz…" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends pigz >/dev/null
fi
cores=$(nproc)
sbom_lines=()
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$root/artifacts/benchmark"
rm -rf "$work"; mkdir -p "$work"

version="0.1.0-bench.$(date +%s)"
trap 'drop_dev_package "$version"' EXIT
prune_dev_packages bench "$version"  # what runs stopped before their end left
echo "packing SlimImage.Sdk $version, building the runner…" >&2
dotnet pack "$root/src/SlimImage.Sdk/SlimImage.Sdk.csproj" -c Release -o "$work/packages" \
  -p:SlimImageVersion="$version" -nodeReuse:false -v:q >&2
dotnet build "$root/build/bench/StepRunner.csproj" -c Release -o "$work/runner" -nodeReuse:false -v:q >&2

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
now_ms() { date +%s%3N; }
# Sum of the SlimImage targets in a -clp:PerformanceSummary log.
slim_ms() { awk '/Target Performance Summary/ {t=1} t && /_SlimImage|PublishSlimImage/ {s+=$1} END {print s+0}' "$1"; }

printf '\n%-15s %13s %13s %10s %10s %10s %12s %12s %12s %12s %7s %7s\n' mode "step(msbuild)" "step(alone)" "cpu" "peakRSS" "allocated" "tar|gzip-6" "tar|pigz-6" "no-change" "image/tar MB" "/gzip" "/pigz"
two_platforms() {
  local app="$work/two-platforms"
  sample_app "$app" "$work/packages"
  echo "two-platforms: publishing linux-x64 and linux-arm64…" >&2
  dotnet publish "$app/ConsoleApp.csproj" -c Release -nodeReuse:false -p:SlimImageSdkVersion="$version" \
    -p:SlimImageRuntimeIdentifiers='"linux-x64;linux-arm64"' -p:SlimImageArchiveOutputPath="$app/image.tar" > "$work/two-platforms.log" 2>&1 \
    || { cat "$work/two-platforms.log" >&2; exit 1; }
  local x64="$app/bin/Release/net10.0/linux-x64/publish" arm64="$app/bin/Release/net10.0/linux-arm64/publish"
  : > "$work/two.one"; : > "$work/two.two"; : > "$work/two.rss"; : > "$work/two.cpu1"; : > "$work/two.cpu2"; : > "$work/two.join"
  for i in $(seq "$runs"); do
    echo "two-platforms: run $i/$runs" >&2
    rm -rf "$work/two-run"; mkdir -p "$work/two-run"
    /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$work/runner/StepRunner" "$x64" ConsoleApp "$work/two-run/one.tar" > /dev/null 2>&1
    read -r wall user sys < "$work/time.txt"
    awk -v w="$wall" 'BEGIN {print w*1000}' >> "$work/two.one"
    awk -v u="$user" -v s="$sys" 'BEGIN {print (u+s)*1000}' >> "$work/two.cpu1"
    /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" env SLIMIMAGE_BENCH_PLATFORMS="linux-x64=$x64;linux-arm64=$arm64" "$work/runner/StepRunner" "$x64" ConsoleApp "$work/two-run/two.tar" > "$work/runner.out" 2> /dev/null
    read -r wall rss user sys < "$work/time.txt"
    awk -v w="$wall" 'BEGIN {print w*1000}' >> "$work/two.two"
    awk -v u="$user" -v s="$sys" 'BEGIN {print (u+s)*1000}' >> "$work/two.cpu2"
    echo $((rss / 1024)) >> "$work/two.rss"
    # The join: from both platform images built to the index archive written.
    sed -n 's/.*step_ms=\([0-9]*\) platforms_ms=\([0-9]*\).*/\1 \2/p' "$work/runner.out" | awk '{print $1-$2}' >> "$work/two.join"
  done
  local one two cpu1 cpu2
  one=$(median < "$work/two.one"); two=$(median < "$work/two.two"); cpu1=$(median < "$work/two.cpu1"); cpu2=$(median < "$work/two.cpu2")
  printf '%-15s one platform %8s ms, two platforms %8s ms, ratio %s, peak RSS %s MB (goal: ratio <= 1.3, RSS < 250 MB)\n' two-platforms \
    "$one" "$two" "$(awk -v a="$two" -v b="$one" 'BEGIN {printf "%.2f", a/b}')" "$(median < "$work/two.rss")"
  # What bounds the ratio: the CPU the two platforms need, spread over every core, against the wall time of one.
  printf '%-15s cpu one %s ms, cpu two %s ms (x%s), join %s ms; all %s cores busy the whole time would give ratio %s\n' two-platforms \
    "$cpu1" "$cpu2" "$(awk -v a="$cpu2" -v b="$cpu1" 'BEGIN {printf "%.2f", a/b}')" "$(median < "$work/two.join")" "$cores" \
    "$(awk -v c="$cpu2" -v n="$cores" -v w="$one" 'BEGIN {printf "%.2f", c/n/w}')"
}

for mode in $modes; do
  [ "$mode" = two-platforms ] && { two_platforms; continue; }
  case "$mode" in
    aot) flags=(-p:PublishAot=true) ;;
    self-contained|large) flags=(--self-contained) ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
  app="$work/$mode"
  sample_app "$app" "$work/packages"
  # Large native packages whose linux-x64 libraries all load with what Debian 12 has (no SLIM2010, no SLIM2001).
  [ "$mode" = large ] && sed -i 's|</Project>|  <ItemGroup>\
    <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.1" />\
    <PackageReference Include="SkiaSharp" Version="3.119.0" />\
    <PackageReference Include="SkiaSharp.NativeAssets.Linux.NoDependencies" Version="3.119.0" />\
    <PackageReference Include="LibGit2Sharp.NativeBinaries" Version="2.0.324" />\
    <PackageReference Include="LLamaSharp.Backend.Cpu" Version="0.30.0" />\
    <PackageReference Include="Microsoft.Playwright" Version="1.64.1" />\
  </ItemGroup>\
</Project>|' "$app/ConsoleApp.csproj"
  archive="$app/image.tar"
  publish=(dotnet publish "$app/ConsoleApp.csproj" -c Release -r linux-x64 "${flags[@]}" -nodeReuse:false
    -p:SlimImageSdkVersion="$version" -p:SlimImageArchiveOutputPath="$archive" -p:SlimImageCompression="$compression"
    -p:SlimImageCompressionLevel="$level" -clp:PerformanceSummary)
  echo "$mode: first publish (restore, compile)…" >&2
  "${publish[@]}" > "$work/$mode-first.log" 2>&1 || { cat "$work/$mode-first.log" >&2; exit 1; }
  intermediate="$app/obj/Release/net10.0/linux-x64/slimimage"
  pubdir="$app/bin/Release/net10.0/linux-x64/publish"
  # The reference compresses exactly the image's files: every layer SlimImage wrote, unpacked into one tree.
  rootfs="$work/$mode-rootfs"; mkdir -p "$rootfs"
  for blob in "$intermediate"/layers/sha256-*; do
    case "$blob" in *.gz) gzip -dc "$blob" ;; *.zst) zstd -dc "$blob" ;; *) cat "$blob" ;; esac | tar -x -C "$rootfs"
  done
  image_mb=$(du -sb "$rootfs" | awk '{printf "%.1f", $1/1e6}')
  : > "$work/$mode.step"; : > "$work/$mode.alloc"; : > "$work/$mode.alone"; : > "$work/$mode.cpu"; : > "$work/$mode.rss"; : > "$work/$mode.ref"; : > "$work/$mode.pigz"; : > "$work/$mode.nochange"; : > "$work/$mode.sbom"; : > "$work/$mode.bare"
  for i in $(seq "$runs"); do
    echo "$mode: run $i/$runs" >&2
    rm -rf "$intermediate" "$archive"
    "${publish[@]}" > "$work/$mode-cold.log" 2>&1 || { cat "$work/$mode-cold.log" >&2; exit 1; }
    grep -q SLIM3600 "$work/$mode-cold.log" || { echo "the image was not built" >&2; exit 1; }
    slim_ms "$work/$mode-cold.log" >> "$work/$mode.step"
    before=$(stat -c '%Y.%s' "$archive")$(sha256sum < "$archive")
    "${publish[@]}" > "$work/$mode-warm.log" 2>&1 || { cat "$work/$mode-warm.log" >&2; exit 1; }
    grep -q SLIM1402 "$work/$mode-warm.log" || { echo "the no-change publish rebuilt the image" >&2; exit 1; }
    [ "$before" = "$(stat -c '%Y.%s' "$archive")$(sha256sum < "$archive")" ] || { echo "the no-change publish changed the archive" >&2; exit 1; }
    slim_ms "$work/$mode-warm.log" >> "$work/$mode.nochange"
    rm -rf "$intermediate" "$archive"
    "${publish[@]}" -p:SlimImageSbom=true > "$work/$mode-sbom.log" 2>&1 || { cat "$work/$mode-sbom.log" >&2; exit 1; }
    grep -q SLIM5104 "$work/$mode-sbom.log" || { echo "no SBOM was written" >&2; exit 1; }
    slim_ms "$work/$mode-sbom.log" >> "$work/$mode.sbom"
    rm -rf "$intermediate" "$archive"
    "${publish[@]}" -p:SlimImageScannerMetadata=false > "$work/$mode-bare.log" 2>&1 || { cat "$work/$mode-bare.log" >&2; exit 1; }
    slim_ms "$work/$mode-bare.log" >> "$work/$mode.bare"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$work/runner/StepRunner" "$pubdir" ConsoleApp "$work/$mode-alone.tar" \
      "$compression" "$level" > "$work/runner.out" 2> /dev/null
    read -r wall user sys rss < "$work/time.txt"
    sed -n 's/.*allocated_kb=\([0-9]*\).*/\1/p' "$work/runner.out" >> "$work/$mode.alloc"
    awk -v w="$wall" 'BEGIN {print w*1000}' >> "$work/$mode.alone"
    awk -v u="$user" -v s="$sys" 'BEGIN {print (u+s)*1000}' >> "$work/$mode.cpu"
    echo $((rss / 1024)) >> "$work/$mode.rss"
    start=$(now_ms); tar -c -C "$rootfs" . | gzip -6 > /dev/null; echo $(( $(now_ms) - start )) >> "$work/$mode.ref"
    start=$(now_ms); tar -c -C "$rootfs" . | pigz -6 -p "$cores" > /dev/null; echo $(( $(now_ms) - start )) >> "$work/$mode.pigz"
  done
  step=$(median < "$work/$mode.step"); ref=$(median < "$work/$mode.ref"); pigz=$(median < "$work/$mode.pigz")
  printf '%-15s %10s ms %10s ms %7s ms %7s MB %7s KB %9s ms %9s ms %9s ms %12s %7s %7s\n' "$mode" "$step" "$(median < "$work/$mode.alone")" \
    "$(median < "$work/$mode.cpu")" "$(median < "$work/$mode.rss")" "$(median < "$work/$mode.alloc")" "$ref" "$pigz" "$(median < "$work/$mode.nochange")" \
    "$image_mb" "$(awk -v s="$step" -v r="$ref" 'BEGIN {printf "%.2f", s/r}')" "$(awk -v s="$step" -v r="$pigz" 'BEGIN {printf "%.2f", s/r}')"
  with=$(median < "$work/$mode.sbom"); bare=$(median < "$work/$mode.bare")
  sbom_lines+=("$(printf '%-15s sbom cost: step %s ms with SlimImageSbom=true, %s ms with no SBOM and no package lookup (%+.1f%%)' "$mode" "$with" "$bare" \
    "$(awk -v s="$with" -v n="$bare" 'BEGIN {printf "%.1f", (n > 0 ? (s-n)*100/n : 0)}')")")
done
printf '%s\n' "${sbom_lines[@]}"
echo
echo "compression=$compression${level:+ level $level}, $cores cores (pigz -p $cores), load average $(cut -d' ' -f1-3 /proc/loadavg), medians of $runs runs"
