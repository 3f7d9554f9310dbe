# Sourced by the build scripts that publish the sample with a freshly packed SlimImage.Sdk.
# sample_app DIR FEED: copies samples/ConsoleApp's project into DIR, restoring from FEED (the packed package) and
# nuget.org, and cut off from this repository's Directory.Build.* files.
sample_app() {
  local app=$1 feed=$2 here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$app"
  cp "$here/samples/ConsoleApp/Program.cs" "$here/samples/ConsoleApp/ConsoleApp.csproj" "$app/"
  cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="slimimage" value="$feed" />
<add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources></configuration>
XML
  echo '<Project />' > "$app/Directory.Build.props"; echo '<Project />' > "$app/Directory.Build.targets"
}
