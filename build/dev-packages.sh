# Sourced by the build scripts that pack SlimImage.Sdk from this checkout. Each pack gets a version no earlier one
# used, so that NuGet's global package cache can never hand a build a stale task assembly; these functions keep those
# throwaway versions from piling up there (about 7 MB each). They touch only SlimImage.Sdk's own folder in the cache,
# and only versions with the given pre-release label.

# The global package folder's SlimImage.Sdk folder (NUGET_PACKAGES, else what NuGet says).
slimimage_cache_dir() {
  local packages=${NUGET_PACKAGES:-}
  [ -n "$packages" ] || packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
  echo "${packages%/}/slimimage.sdk"
}

# drop_dev_package VERSION: removes that one version from the cache (a build that has ended with it).
drop_dev_package() {
  local version=${1,,}
  case "$version" in 0.1.0-*.*) ;; *) echo "drop_dev_package: not a throwaway version: $1" >&2; return 1 ;; esac
  rm -rf -- "$(slimimage_cache_dir)/$version"
}

# prune_dev_packages LABEL KEEP: removes the versions 0.1.0-LABEL.* other than KEEP that are over an hour old (a run
# started less than an hour ago may still be restoring one), from the cache and from the folder feeds given after KEEP.
prune_dev_packages() {
  local label=$1 keep=${2,,} cache feed
  shift 2
  cache=$(slimimage_cache_dir)
  [ -d "$cache" ] && find "$cache" -mindepth 1 -maxdepth 1 -type d -name "0.1.0-$label.*" ! -name "$keep" -mmin +60 -exec rm -rf -- {} +
  for feed in "$@"; do
    [ -d "$feed" ] && find "$feed" -maxdepth 1 -type f -iname "SlimImage.Sdk.0.1.0-$label.*.nupkg" ! -iname "SlimImage.Sdk.$keep.nupkg" -mmin +60 -delete
  done
  return 0
}
