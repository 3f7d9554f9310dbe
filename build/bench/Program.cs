// build/benchmark.sh's runner: builds the image of a publish folder with the same core the MSBuild task calls, and
// prints the time it took. Usage: StepRunner PUBLISH_DIR ASSEMBLY_NAME ARCHIVE [gzip|zstd|none] [LEVEL]
// SLIMIMAGE_BENCH_PLATFORMS="linux-x64=DIR;linux-arm64=DIR" builds one image per RID at the same time (as the inner
// publishes of SlimImageRuntimeIdentifiers do) and joins them into one multi-platform ARCHIVE, as the outer build does.
using System.Diagnostics;
using SlimImage.Entries;
using SlimImage.Oci;
using SlimImage.Pipeline;
using SlimImage.Publish;

if (Environment.GetEnvironmentVariable("SLIMIMAGE_BENCH_PLATFORMS") is { Length: > 0 } platforms && args.Length >= 3)
{
    var watch = Stopwatch.StartNew();
    var archive = Path.GetFullPath(args[2]);
    var built = platforms.Split(';').Select(p => p.Split('=', 2)).Select(p => Task.Run(() =>
    {
        var dir = Path.GetFullPath(p[1]);
        var platformArchive = Path.Combine(Path.GetDirectoryName(archive)!, p[0] + ".platform.tar");
        ImagePipeline.Run(new ImageRequest
        {
            PublishDirectory = dir,
            PublishFiles = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Select(f => new PublishFile(f, Path.GetRelativePath(dir, f), EntryOrigin.App)).ToList(),
            RuntimeIdentifier = p[0],
            AssemblyName = args[1],
            InvariantGlobalization = true,
            ArchivePath = platformArchive,
            Repository = args[1].ToLowerInvariant(),
            PlatformFilesApart = true,
        }, _ => { }, CancellationToken.None);
        return new PlatformArchiveInput(p[0], platformArchive);
    })).ToArray();
    var inputs = Task.WhenAll(built).GetAwaiter().GetResult();
    var platformsMs = watch.ElapsedMilliseconds;
    var index = IndexPipeline.Build(new IndexImageRequest
    {
        Platforms = inputs, ArchivePath = archive, Repository = args[1].ToLowerInvariant(), HostRuntimeIdentifier = "linux-x64",
    }, _ => { }, CancellationToken.None);
    Console.WriteLine($"step_ms={watch.ElapsedMilliseconds} platforms_ms={platformsMs} index={index.IndexDigest} allocated_kb={GC.GetTotalAllocatedBytes(precise: true) / 1024}");
    return 0;
}

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: StepRunner PUBLISH_DIR ASSEMBLY_NAME ARCHIVE [gzip|zstd|none] [LEVEL]");
    return 2;
}
var publishDir = Path.GetFullPath(args[0]);
var compression = LayerCompression.Parse(args.ElementAtOrDefault(3), args.ElementAtOrDefault(4));
var clock = Stopwatch.StartNew();
var files = Directory.EnumerateFiles(publishDir, "*", SearchOption.AllDirectories)
    .Select(f => new PublishFile(f, Path.GetRelativePath(publishDir, f), EntryOrigin.App))
    .ToList();
var request = new ImageRequest
{
    PublishDirectory = publishDir,
    PublishFiles = files,
    RuntimeIdentifier = "linux-x64",
    AssemblyName = args[1],
    InvariantGlobalization = true,
    ArchivePath = Path.GetFullPath(args[2]),
    Repository = args[1].ToLowerInvariant(),
    Compression = compression,
};
var allocated = GC.GetTotalAllocatedBytes(precise: true);
var result = ImagePipeline.Run(request, d => Console.Error.WriteLine($"{d.Code}: {d.Message.Split('\n')[0]}"), CancellationToken.None);
// Managed bytes the step allocated: inside MSBuild, whose heap is large, every collection they set off is a long pause.
allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
Console.WriteLine($"step_ms={clock.ElapsedMilliseconds} compressed={result.CompressedSize} uncompressed={result.UncompressedSize} allocated_kb={allocated / 1024}");
// SLIMIMAGE_BENCH_REPEAT=N runs the step N more times in the same process: the difference to the first run is the
// cost of loading and JIT-compiling the code, which MSBuild pays once per build. Each prints its stage times (SLIM3601).
for (var i = 0; i < int.Parse(Environment.GetEnvironmentVariable("SLIMIMAGE_BENCH_REPEAT") ?? "0"); i++)
{
    clock.Restart();
    ImagePipeline.Run(request, d => { if (d.Code == "SLIM3601") Console.Error.WriteLine(d.Message); }, CancellationToken.None);
    Console.WriteLine($"warm_step_ms={clock.ElapsedMilliseconds}");
}
return 0;
