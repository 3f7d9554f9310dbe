using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SlimImage.Tests.Architecture;

/// <summary>
/// The architecture test's reader and checks, on small assemblies compiled here with one backward reference per
/// type (a leaf, SlimImage.Oci, using the pipeline), each reachable through one construct only.
/// </summary>
public class ArchitectureSelfTests
{
    private const string Pipeline = """
        namespace SlimImage.Pipeline
        {
            public class Request { public int Size; }
            public class Failure : System.Exception { }
            public struct Point { public int X; }
            public interface IStage { }
            public class Box<T> { public static int Zero; }
            public sealed class TagAttribute : System.Attribute { }
            public static class Stage
            {
                public static int Count;
                public static int Run() => 1;
            }
            public class Uses
            {
                // Allowed: the pipeline may use a leaf.
                public SlimImage.Oci.Marker? Marker;
            }
        }
        """;

    private const string Oci = """
        namespace SlimImage.Oci
        {
            using System.Collections.Generic;
            using System.Threading.Tasks;

            [System.AttributeUsage(System.AttributeTargets.All)]
            public sealed class Marker(System.Type type) : System.Attribute { public System.Type Type { get; } = type; }

            public class BodyOnly { public int Count() => SlimImage.Pipeline.Stage.Run(); }
            public class StaticFieldOnly { public int Read() => SlimImage.Pipeline.Stage.Count; }
            public class GenericTypeMemberOnly { public int Read() => SlimImage.Pipeline.Box<int>.Zero; }
            public class TypeofOnly { public string Name() => typeof(SlimImage.Pipeline.Request).Name; }
            [SlimImage.Pipeline.Tag] public class AttributeOnly { }
            public class GenericArgumentOnly { public Dictionary<string, List<SlimImage.Pipeline.Request>>? Requests; }
            public class GenericMethodArgumentOnly { public int Count() => System.Array.Empty<SlimImage.Pipeline.Point>().Length; }
            public class ArrayOnly { public int Count(SlimImage.Pipeline.Point[,] points) => points.Length; }
            public class ByRefOnly { public void Set(ref SlimImage.Pipeline.Point point) => point = default; }
            public unsafe class PointerOnly { public int Read(SlimImage.Pipeline.Point* point) => point->X; }
            public class LocalOnly { public bool Empty() { SlimImage.Pipeline.Request? local = null; return local is null; } }
            public class BaseOnly : SlimImage.Pipeline.Failure { }
            public class InterfaceOnly : SlimImage.Pipeline.IStage { }
            [Marker(typeof(SlimImage.Pipeline.Request))] public class AttributeArgumentOnly { }
            public class CatchOnly
            {
                public int Try(System.Action action)
                {
                    try { action(); return 0; }
                    catch (SlimImage.Pipeline.Failure) { return 1; }
                }
            }
            public class InLambda { public System.Func<int> Make() => () => SlimImage.Pipeline.Stage.Run(); }
            public class InAsync
            {
                public async Task<int> RunAsync() { await Task.Yield(); return SlimImage.Pipeline.Stage.Run(); }
            }
            public class AfterSwitch
            {
                // A dense switch compiles to IL's switch opcode: the reader must step over its jump table to find the call.
                public int Pick(int value)
                {
                    switch (value)
                    {
                        case 0: return 10;
                        case 1: return 11;
                        case 2: return 12;
                        case 3: return 13;
                        case 4: return 14;
                        default: return new SlimImage.Pipeline.Request().Size;
                    }
                }
            }
        }
        """;

    private static readonly Lazy<byte[]> Backward = new(() => Compile(Pipeline, Oci).ToArray());

    [Theory]
    [InlineData("SlimImage.Oci.BodyOnly.Count (body) -> SlimImage.Pipeline.Stage")]
    [InlineData("SlimImage.Oci.StaticFieldOnly.Read (body) -> SlimImage.Pipeline.Stage")]
    [InlineData("SlimImage.Oci.GenericTypeMemberOnly.Read (body) -> SlimImage.Pipeline.Box`1")]
    [InlineData("SlimImage.Oci.TypeofOnly.Name (body) -> SlimImage.Pipeline.Request")]
    [InlineData("SlimImage.Oci.AttributeOnly (attribute or constraint) -> SlimImage.Pipeline.TagAttribute")]
    [InlineData("SlimImage.Oci.GenericArgumentOnly.Requests (field) -> SlimImage.Pipeline.Request")]
    [InlineData("SlimImage.Oci.GenericMethodArgumentOnly.Count (body) -> SlimImage.Pipeline.Point")]
    [InlineData("SlimImage.Oci.ArrayOnly.Count (signature) -> SlimImage.Pipeline.Point")]
    [InlineData("SlimImage.Oci.ByRefOnly.Set (signature) -> SlimImage.Pipeline.Point")]
    [InlineData("SlimImage.Oci.PointerOnly.Read (signature) -> SlimImage.Pipeline.Point")]
    [InlineData("SlimImage.Oci.LocalOnly.Empty (locals) -> SlimImage.Pipeline.Request")]
    [InlineData("SlimImage.Oci.BaseOnly (base) -> SlimImage.Pipeline.Failure")]
    [InlineData("SlimImage.Oci.InterfaceOnly (interface) -> SlimImage.Pipeline.IStage")]
    [InlineData("SlimImage.Oci.AttributeArgumentOnly (attribute or constraint) -> SlimImage.Pipeline.Request")]
    [InlineData("SlimImage.Oci.CatchOnly.Try (catch) -> SlimImage.Pipeline.Failure")]
    [InlineData("SlimImage.Oci.InLambda.Make (body) -> SlimImage.Pipeline.Stage")]
    [InlineData("SlimImage.Oci.InAsync.RunAsync (body) -> SlimImage.Pipeline.Stage")]
    [InlineData("SlimImage.Oci.AfterSwitch.Pick (body) -> SlimImage.Pipeline.Request")]
    public void ABackwardReferenceIsReportedWhereverItIs(string use)
    {
        var report = ArchitectureReport.Check(DependencyReader.Read(new MemoryStream(Backward.Value)), AllowedDependencies.Table);

        var violation = Assert.Single(report.Violations);
        Assert.Equal(("Oci", "Pipeline"), (violation.From, violation.To));
        Assert.Contains(use, violation.Uses.Select(u => u.ToString()));
        // Closures and state machines count for the type that contains them: nothing is reported from a generated type.
        Assert.DoesNotContain(violation.Uses, u => u.From.Contains('<') || u.Member.Contains('<'));
        Assert.Contains("Oci -> Pipeline: ", report.ToString());
    }

    [Fact]
    public void TheBackwardReferenceAndTheAllowedOneMakeACycle()
    {
        var report = ArchitectureReport.Check(DependencyReader.Read(new MemoryStream(Backward.Value)), AllowedDependencies.Table);

        var cycle = Assert.Single(report.Cycles);
        Assert.Equal(["Oci", "Pipeline", "Oci"], cycle.Path);
        Assert.Contains("1 cycle among folders:\n  Oci -> Pipeline -> Oci", report.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(report.Unplaced);
    }

    [Fact]
    public void ACycleThroughSeveralFoldersIsReportedAsOne()
    {
        var report = ArchitectureReport.Check(DependencyReader.Read(Compile("""
            namespace SlimImage.Layers { public class A { public SlimImage.Image.B? Next; } }
            namespace SlimImage.Image { public class B { public SlimImage.Output.C? Next; } }
            namespace SlimImage.Output { public class C { public object Back() => new SlimImage.Layers.A(); } }
            """)), AllowedDependencies.Table);

        var cycle = Assert.Single(report.Cycles);
        Assert.Equal(["Image", "Layers", "Output"], cycle.Group);
        Assert.Equal(["Image", "Output", "Layers", "Image"], cycle.Path);
        Assert.Equal(3, report.Violations.Count);
    }

    [Fact]
    public void AFolderTheTableDoesNotPlaceIsReported()
    {
        var report = ArchitectureReport.Check(DependencyReader.Read(Compile("""
            namespace SlimImage.Nowhere.Deeper { public class Lost { } }
            namespace SlimImage { public class AtTheRoot { } }
            namespace SlimImage.Oci { public class Fine { } }
            """)), AllowedDependencies.Table);

        Assert.Equal([FolderGraph.RootNamespace, "Nowhere"], report.Unplaced);
        Assert.Empty(report.Violations);
        Assert.Contains("does not place (add each to AllowedDependencies.cs): (SlimImage), Nowhere", report.ToString());
    }

    [Fact]
    public void AnAssemblyThatKeepsTheOrderIsClean()
    {
        var graph = DependencyReader.Read(Compile(Pipeline, """
            namespace SlimImage.Oci { public sealed class Marker(System.Type type) : System.Attribute { public System.Type Type { get; } = type; } }
            namespace SlimImage.Tasks
            {
                public class Task { public async System.Threading.Tasks.Task<int> Run() { await System.Threading.Tasks.Task.Yield(); return SlimImage.Pipeline.Stage.Run(); } }
            }
            """));

        var report = ArchitectureReport.Check(graph, AllowedDependencies.Table);
        Assert.True(report.IsClean, report.ToString());
        Assert.Equal(["Oci", "Pipeline", "Tasks"], graph.Folders);
        Assert.Equal(new[] { ("Pipeline", "Oci"), ("Tasks", "Pipeline") }, graph.Edges.Keys);
    }

    /// <summary>Compiles C# into an assembly in memory (Debug, so locals stay as written).</summary>
    private static MemoryStream Compile(params string[] sources)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            "ArchitectureProbe",
            sources.Select(source => CSharpSyntaxTree.ParseText(source)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Debug,
                allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        var assembly = new MemoryStream();
        var result = compilation.Emit(assembly);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        assembly.Position = 0;
        return assembly;
    }
}
