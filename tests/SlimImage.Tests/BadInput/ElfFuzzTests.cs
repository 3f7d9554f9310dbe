using System.Diagnostics;
using SlimImage.Diagnostics;
using SlimImage.Elf;
using Xunit;

namespace SlimImage.Tests.BadInput;

/// <summary>
/// Feeds the ELF reading path truncated and mutated copies of real ELF files: each must give a result — Elf,
/// NotElf or Corrupt — or a SLIM error, never a crash or a hang. Each file has a fixed seed (not a string hash,
/// which .NET randomises per process), and a failure names the seed and the case, so it can be replayed.
/// </summary>
public class ElfFuzzTests
{
    private const int Seed = 20261129;

    public static IEnumerable<object[]> Originals()
    {
        // Real ELF files of different shapes: an executable, shared libraries with many sections.
        string[] paths = ["/bin/true", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"];
        for (var i = 0; i < paths.Length; i++)
            yield return [paths[i], Seed + i];
    }

    [Theory]
    [MemberData(nameof(Originals))]
    public void MutatedAndTruncatedElfFilesNeverCrashOrHang(string original, int seed)
    {
        Assert.True(File.Exists(original), $"{original} is missing on this machine");
        var bytes = File.ReadAllBytes(original);
        Assert.Equal(ElfReadKind.Elf, ElfReader.Read(new MemoryStream(bytes)).Kind);
        var random = new Random(seed);
        var kinds = new Dictionary<ElfReadKind, int>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1500; i++)
        {
            var mutated = Mutate(bytes, random, i);
            var one = Stopwatch.StartNew();
            try
            {
                try
                {
                    var result = ElfReader.Read(new MemoryStream(mutated, writable: false));
                    kinds[result.Kind] = kinds.GetValueOrDefault(result.Kind) + 1;
                    if (result.Kind == ElfReadKind.Elf) Assert.NotNull(result.Info);
                    if (result.Kind == ElfReadKind.Corrupt) Assert.False(string.IsNullOrEmpty(result.CorruptReason));
                }
                catch (SlimException e)
                {
                    Assert.Matches(@"^SLIM\d{4}$", e.Code);
                }
                Assert.True(one.Elapsed < TimeSpan.FromSeconds(2), $"case {i} of {original} (seed {seed}) took {one.Elapsed}");
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"case {i} of {original} failed; replay with seed {seed}: {e.Message}", e);
            }
        }
        // The mutations must reach the interesting paths, not only the magic check.
        Assert.True(kinds.GetValueOrDefault(ElfReadKind.Corrupt) > 50, $"too few corrupt results (seed {seed}): {string.Join(", ", kinds)}");
        Assert.True(kinds.GetValueOrDefault(ElfReadKind.Elf) > 50, $"too few valid results (seed {seed}): {string.Join(", ", kinds)}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"fuzzing took {watch.Elapsed} (seed {seed})");
    }

    private static byte[] Mutate(byte[] original, Random random, int i)
    {
        switch (i % 4)
        {
            case 0: // truncated anywhere, most often inside the headers
                var length = random.Next(3) == 0 ? random.Next(original.Length) : random.Next(Math.Min(original.Length, 8192));
                return original[..length];
            case 1: // a few bytes flipped in the ELF header and program headers
                return Flip(original, random, 1 + random.Next(4), Math.Min(original.Length, 64 + 56 * 16));
            case 2: // bytes flipped anywhere (section headers, dynamic section, string tables)
                return Flip(original, random, 1 + random.Next(16), original.Length);
            default: // a header field set to an extreme value
                var copy = (byte[])original.Clone();
                var at = random.Next(16, 64 - 8);
                var value = random.Next(3) switch { 0 => ulong.MaxValue, 1 => (ulong)original.Length * 2, _ => 0UL };
                BitConverter.TryWriteBytes(copy.AsSpan(at, 8), value);
                return copy;
        }
    }

    private static byte[] Flip(byte[] original, Random random, int count, int range)
    {
        var copy = (byte[])original.Clone();
        for (var k = 0; k < count; k++)
            copy[random.Next(range)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}
