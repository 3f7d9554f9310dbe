using System.Text;

namespace SlimImage.Tests.Architecture;

/// <summary>A folder → folder dependency the table does not allow, with every type use that makes it.</summary>
internal sealed record Violation(string From, string To, IReadOnlyCollection<TypeUse> Uses);

/// <summary>Folders that reach one another, and the shortest cycle through the first of them.</summary>
internal sealed record FolderCycle(IReadOnlyList<string> Group, IReadOnlyList<string> Path)
{
    public override string ToString() =>
        (Group.Count > 2 ? $"{Group.Count} folders ({string.Join(", ", Group)}), e.g. " : "") + string.Join(" -> ", Path);
}

/// <summary>
/// A <see cref="FolderGraph"/> checked against an allowed table: dependencies the table does not list, cycles among
/// folders (each strongly connected group, with one cycle through it), and folders the table does not place.
/// </summary>
internal sealed class ArchitectureReport
{
    /// <summary>How many type uses the text shows per forbidden dependency.</summary>
    public const int Examples = 5;

    private ArchitectureReport(List<Violation> violations, List<FolderCycle> cycles, List<string> unplaced)
    {
        Violations = violations;
        Cycles = cycles;
        Unplaced = unplaced;
    }

    public IReadOnlyList<Violation> Violations { get; }

    /// <summary>One per group of folders that reach each other.</summary>
    public IReadOnlyList<FolderCycle> Cycles { get; }

    public IReadOnlyList<string> Unplaced { get; }

    public bool IsClean => Violations.Count == 0 && Cycles.Count == 0 && Unplaced.Count == 0;

    public static ArchitectureReport Check(FolderGraph graph, IReadOnlyDictionary<string, IReadOnlySet<string>> allowed)
    {
        var violations = graph.Edges
            .Where(edge => !(allowed.TryGetValue(edge.Key.From, out var may) && may.Contains(edge.Key.To)))
            .Select(edge => new Violation(edge.Key.From, edge.Key.To, edge.Value))
            .ToList();
        var unplaced = graph.Folders.Where(folder => !allowed.ContainsKey(folder)).ToList();
        var successors = graph.Edges.Keys.ToLookup(edge => edge.From, edge => edge.To);
        var cycles = FindCycles(graph.Folders, successors);
        return new ArchitectureReport(violations, cycles, unplaced);
    }

    /// <summary>The groups of folders that reach one another (Tarjan), each as its shortest cycle through its first folder.</summary>
    public static List<FolderCycle> FindCycles(IEnumerable<string> nodes, ILookup<string, string> successors)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var groups = new List<List<string>>();

        void Connect(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in successors[node])
            {
                if (!index.ContainsKey(next))
                {
                    Connect(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                    low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node])
                return;
            var group = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                group.Add(member);
            } while (member != node);
            if (group.Count > 1)
                groups.Add(group);
        }

        foreach (var node in nodes.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(node))
                Connect(node);
        return groups
            .Select(group => ShortestCycle(group.Order(StringComparer.Ordinal).ToList(), successors))
            .OrderBy(cycle => cycle.Group[0], StringComparer.Ordinal)
            .ToList();
    }

    private static FolderCycle ShortestCycle(List<string> group, ILookup<string, string> successors)
    {
        var start = group[0];
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in successors[node].Where(group.Contains).Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = previous[at])
                        path.Add(at);
                    path.Add(start);
                    path.Reverse();
                    return new FolderCycle(group, path);
                }
                if (previous.TryAdd(next, node))
                    queue.Enqueue(next);
            }
        }
        throw new InvalidOperationException("a strongly connected group without a cycle");
    }

    /// <summary>The first use of each (type, used type) pair before the rest, so that a few examples cover most of the ground.</summary>
    private static IEnumerable<TypeUse> Varied(IReadOnlyCollection<TypeUse> uses)
    {
        var seen = new HashSet<(string, string)>();
        var first = uses.Where(use => seen.Add((use.From, use.To))).ToList();
        return first.Concat(uses.Except(first));
    }

    private static string Count(int count, string one, string? many = null) => $"{count} {(count == 1 ? one : many ?? one + "s")}";

    public override string ToString()
    {
        if (IsClean)
            return "the folders depend on each other only as the table allows, without cycles";
        var text = new StringBuilder();
        if (Violations.Count > 0)
        {
            text.AppendLine($"{Count(Violations.Count, "folder dependency", "folder dependencies")} the table in tests/SlimImage.Tests/Architecture/AllowedDependencies.cs does not allow:");
            foreach (var violation in Violations)
            {
                var users = violation.Uses.Select(use => use.From).Distinct().ToList();
                text.AppendLine($"  {violation.From} -> {violation.To}: {Count(violation.Uses.Count, "type use")} in {string.Join(", ", users)}; e.g.");
                foreach (var use in Varied(violation.Uses).Take(Examples))
                    text.AppendLine($"      {use}");
            }
        }
        if (Cycles.Count > 0)
        {
            text.AppendLine($"{Count(Cycles.Count, "cycle")} among folders:");
            foreach (var cycle in Cycles)
                text.AppendLine($"  {cycle}");
        }
        if (Unplaced.Count > 0)
            text.AppendLine($"Folders the table does not place (add each to AllowedDependencies.cs): {string.Join(", ", Unplaced)}");
        return text.ToString();
    }
}
