// build/benchmark.sh's runner: builds the image of a publish folder with the same core the MSBuild task calls, and
// prints the time it took. Usage: StepRunner PUBLISH_DIR ASSEMBLY_NAME ARCHIVE [gzip|zstd|none] [LEVEL]
using System.Diagnostics;
using SlimImage.Pipeline;
using SlimImage.Publish;
using SlimImage.Rootfs;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: StepRunner PUBLISH_DIR ASSEMBLY_NAME ARCHIVE [gzip|zstd|none] [LEVEL]");
    return 2;
}
var publishDir = Path.GetFullPath(args[0]);
var (compression, level) = CompressionSettings.Parse(args.ElementAtOrDefault(3), args.ElementAtOrDefault(4));
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
    CompressionLevel = level,
};
var allocated = GC.GetTotalAllocatedBytes(precise: true);
var result = ImagePipeline.Run(request, d => Console.Error.WriteLine($"{d.Code}: {d.Message.Split('\n')[0]}"), CancellationToken.None);
// Managed bytes the step allocated: inside MSBuild, whose heap is large, every collection they set off is a long pause.
allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
Console.WriteLine($"step_ms={clock.ElapsedMilliseconds} compressed={result.CompressedSize} uncompressed={result.UncompressedSize} allocated_kb={allocated / 1024}");
// SLIMIMAGE_BENCH_REPEAT=N runs the step N more times in the same process: the difference to the first run is the
// cost of loading and JIT-compiling the code, which MSBuild pays once per build.
for (var i = 0; i < int.Parse(Environment.GetEnvironmentVariable("SLIMIMAGE_BENCH_REPEAT") ?? "0"); i++)
{
    clock.Restart();
    ImagePipeline.Run(request, _ => { }, CancellationToken.None);
    Console.WriteLine($"warm_step_ms={clock.ElapsedMilliseconds}");
}
return 0;
