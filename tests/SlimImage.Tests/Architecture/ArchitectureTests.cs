using Xunit;
using Xunit.Abstractions;

namespace SlimImage.Tests.Architecture;

/// <summary>
/// Issue 13: src/SlimImage.Tasks is a one-way pipeline. Read from the compiled assembly, every folder uses only the
/// folders <see cref="AllowedDependencies"/> lists, no folders form a cycle, and every folder is placed.
/// </summary>
public class ArchitectureTests(ITestOutputHelper log)
{
    [Fact]
    public void FoldersOfTheTasksAssemblyDependOnlyInTheAllowedOrder()
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "SlimImage.Tasks.dll");
        Assert.True(File.Exists(assembly), assembly);
        var graph = DependencyReader.Read(assembly);

        // The read saw the assembly: the tasks call the pipeline, and the pipeline the stages and the leaves.
        Assert.Contains(("Tasks", "Pipeline"), graph.Edges.Keys);
        Assert.Contains(("Pipeline", "Layers"), graph.Edges.Keys);
        Assert.Contains(("Pipeline", "Diagnostics"), graph.Edges.Keys);
        log.WriteLine("folders: " + string.Join(", ", graph.Folders));
        log.WriteLine("dependencies: " + string.Join(", ", graph.Edges.Keys.Select(edge => edge.From + "->" + edge.To)));

        var report = ArchitectureReport.Check(graph, AllowedDependencies.Table);
        Assert.True(report.IsClean, report.ToString());
    }

    [Fact]
    public void TheAllowedTableIsOneWayAndPlacesEveryFolderItNames()
    {
        var table = AllowedDependencies.Table;
        Assert.All(table, entry => Assert.All(entry.Value, to => Assert.True(table.ContainsKey(to), $"{entry.Key} -> {to}: {to} is not placed")));
        Assert.All(table, entry => Assert.DoesNotContain(entry.Key, entry.Value));
        var successors = table.SelectMany(entry => entry.Value.Select(to => (entry.Key, to))).ToLookup(edge => edge.Key, edge => edge.to);
        Assert.Empty(ArchitectureReport.FindCycles(table.Keys, successors));

        // Tasks is the end of the pipeline, and the leaves are what every stage may use.
        Assert.DoesNotContain(table, entry => entry.Value.Contains("Tasks"));
        Assert.All(["Diagnostics", "FileSystem", "Oci", "Entries", "Elf"], leaf => Assert.Contains(leaf, table["Publish"]));
    }
}
