#!/usr/bin/env bash
# SlimImage beside the SDK's own container support, on samples/ConsoleApp (self-contained, linux-x64).
# Usage: build/compare-sdk.sh [runs (default 3)]
#
# The SDK's PublishContainer needs a base image from a registry. This machine reaches no public registry, so the
# script makes the equivalent of Microsoft's runtime-deps image from the build machine's own Debian packages (the
# same list: libc6, libgcc-s1, libstdc++6, libssl3, libicu72, zlib1g, tzdata, ca-certificates, and the app user
# 1654), pushes it to a private docker-registry on 127.0.0.1, and builds the sample with
#   the SDK:      dotnet publish -t:PublishContainer -p:ContainerBaseImage=127.0.0.1:PORT/runtime-deps:local
#   SlimImage:    dotnet publish -p:SlimImage=true (scratch, the libraries the app loads)
# For each it prints the median of: the image step (its targets in -clp:PerformanceSummary, from the end of Publish),
# the same step of a second publish with nothing changed, the image size (compressed layers + config, as a
# registry stores it; uncompressed, as a runtime unpacks it), and whether two builds gave the same manifest digest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/build/sample-app.sh"
. "$root/build/dev-packages.sh"
runs=${1:-3}
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for tool in docker-registry skopeo python3; do
  command -v "$tool" > /dev/null || { echo "$0: $tool is missing (build/test.sh installs it)" >&2; exit 1; }
done
work="$root/artifacts/compare-sdk"
rm -rf "$work"; mkdir -p "$work"

# --- a private registry on a free loopback port ---------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port, secret: compare-sdk}
YAML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2> /dev/null || true; [ -z "${version:-}" ] || drop_dev_package "$version"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" > /dev/null 2>&1 && break; sleep 0.2; done

# --- the runtime-deps equivalent, from this machine's packages --------------------------------------------------
echo "making the base image from the build machine's Debian packages…" >&2
packages="libc6 libgcc-s1 libstdc++6 libssl3 libicu72 zlib1g tzdata ca-certificates"
rootfs="$work/base-rootfs"; mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/app" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/usr/lib" "$rootfs/usr/lib64"
# Merged /usr, as on the build machine: packages still list /lib/…, which goes through the link.
for link in bin lib lib64 sbin; do [ -L "/$link" ] && ln -sfn "$(readlink "/$link")" "$rootfs/$link"; done
for p in $packages; do dpkg -L "$p:amd64" 2> /dev/null || dpkg -L "$p"; done | sort -u |
  grep -vE '^/usr/share/(doc|man|lintian|info|locale)/' | while read -r path; do
    case "$path" in /bin|/lib|/lib64|/sbin) continue ;; esac
    if [ -f "$path" ] || [ -L "$path" ]; then mkdir -p "$rootfs$(dirname "$path")"; cp -a "$path" "$rootfs$path"; fi
  done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1654:1654::/home/app:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
layout="$work/base-layout"; mkdir -p "$layout/blobs/sha256"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -c . > "$work/base.tar"
gzip -n -6 < "$work/base.tar" > "$work/base.tar.gz"
python3 - "$work" "$layout" <<'PY'
import hashlib, json, os, shutil, sys
work, layout = sys.argv[1], sys.argv[2]
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(layout, "blobs", "sha256", d), "wb").write(data)
    return "sha256:" + d, len(data)
diff_id = "sha256:" + hashlib.sha256(open(os.path.join(work, "base.tar"), "rb").read()).hexdigest()
layer, layer_size = blob(open(os.path.join(work, "base.tar.gz"), "rb").read())
config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]},
          "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_UID=1654",
                             "DOTNET_RUNNING_IN_CONTAINER=true"]}}
cfg, cfg_size = blob(json.dumps(config, separators=(",", ":")).encode())
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg, "size": cfg_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": layer_size}]}
m, m_size = blob(json.dumps(manifest, separators=(",", ":")).encode())
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m,
           "size": m_size, "annotations": {"org.opencontainers.image.ref.name": "local"}}]}, open(os.path.join(layout, "index.json"), "w"))
open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:local" "docker://127.0.0.1:$port/runtime-deps:local"
base="127.0.0.1:$port/runtime-deps:local"
export DOTNET_CONTAINER_INSECURE_REGISTRIES="127.0.0.1:$port"

# --- the sample, once per tool -------------------------------------------------------------------------------------
version="0.1.0-compare.$(date +%s)"
prune_dev_packages compare "$version"  # what runs stopped before their end left
echo "packing SlimImage.Sdk $version…" >&2
dotnet pack "$root/src/SlimImage.Sdk/SlimImage.Sdk.csproj" -c Release -o "$work/packages" -p:SlimImageVersion="$version" \
  -nodeReuse:false -v:q >&2
app="$work/app"
sample_app "$app" "$work/packages"
common=(dotnet publish "$app/ConsoleApp.csproj" -c Release -r linux-x64 --self-contained -nodeReuse:false
  -p:SlimImageSdkVersion="$version" -clp:PerformanceSummary)
sdk=("${common[@]}" -t:PublishContainer -p:SlimImage=false -p:ContainerBaseImage="$base" -p:ContainerRepository=consoleapp
  -p:ContainerArchiveOutputPath="$work/sdk.tar.gz")
slim=("${common[@]}" -p:SlimImage=true -p:SlimImageArchiveOutputPath="$work/slim.tar")
# The image targets of a -clp:PerformanceSummary log: the SDK's container targets, or SlimImage's. PublishContainer
# itself is left out: it runs _PublishSingleContainer through CallTarget, so its time would count that one twice.
step_ms() { awk -v p="$2" '/Target Performance Summary/ {t=1} t && $0 ~ p && $3 != "PublishContainer" {s+=$1} END {print s+0}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# Compressed size (config + layers, as a registry stores them) and uncompressed size of an archive's image (its OCI
# index.json, which both write), and its manifest digest.
sizes() {
  python3 - "$1" <<'PY'
import gzip, json, sys, tarfile
t = tarfile.open(sys.argv[1])
read = lambda n: t.extractfile(n).read()
blob = lambda d: read("blobs/sha256/" + d.split(":")[1])
digest = json.loads(read("index.json"))["manifests"][0]["digest"]
m = json.loads(blob(digest))
stored = m["config"]["size"]; unpacked = 0
for layer in m["layers"]:
    data = blob(layer["digest"])
    gzipped = data[:2] == b"\x1f\x8b"
    stored += len(data if gzipped else gzip.compress(data, 6, mtime=0))
    unpacked += len(gzip.decompress(data) if gzipped else data)
print(f"{stored/1e6:.1f} {unpacked/1e6:.1f} {digest}")
PY
}

printf '\n%-10s %14s %14s %16s %18s %s\n' tool "image step" "no-change" "image (stored)" "image (unpacked)" "same digest twice"
for tool in sdk slim; do
  if [ "$tool" = sdk ]; then cmd=("${sdk[@]}"); pattern='Container'; archive="$work/sdk.tar.gz"
  else cmd=("${slim[@]}"); pattern='_SlimImage|PublishSlimImage'; archive="$work/slim.tar"; fi
  echo "$tool: first publish (restore, compile)…" >&2
  "${cmd[@]}" > "$work/$tool-first.log" 2>&1 || { tail -30 "$work/$tool-first.log" >&2; exit 1; }
  : > "$work/$tool.step"; : > "$work/$tool.nochange"; : > "$work/$tool.digests"
  for i in $(seq "$runs"); do
    echo "$tool: run $i/$runs" >&2
    rm -rf "$app/obj/Release/net10.0/linux-x64/slimimage" "$archive"
    touch "$app/Program.cs"   # a code change: every run builds its image
    "${cmd[@]}" > "$work/$tool-cold.log" 2>&1 || { tail -30 "$work/$tool-cold.log" >&2; exit 1; }
    step_ms "$work/$tool-cold.log" "$pattern" >> "$work/$tool.step"
    sizes "$archive" | awk '{print $3}' >> "$work/$tool.digests"
    "${cmd[@]}" > "$work/$tool-warm.log" 2>&1 || { tail -30 "$work/$tool-warm.log" >&2; exit 1; }
    step_ms "$work/$tool-warm.log" "$pattern" >> "$work/$tool.nochange"
    sleep 1   # the SDK stamps the image with the time: let a second pass between runs
  done
  read -r stored unpacked _ < <(sizes "$archive")
  same=$([ "$(sort -u "$work/$tool.digests" | wc -l)" = 1 ] && echo yes || echo "no ($(sort -u "$work/$tool.digests" | wc -l) digests in $runs builds)")
  printf '%-10s %11s ms %11s ms %13s MB %15s MB %s\n' "$tool" "$(median < "$work/$tool.step")" "$(median < "$work/$tool.nochange")" \
    "$stored" "$unpacked" "$same"
done
echo
echo "base for the SDK: $base ($(du -sb "$rootfs" | awk '{printf "%.1f", $1/1e6}') MB unpacked); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), medians of $runs runs"
