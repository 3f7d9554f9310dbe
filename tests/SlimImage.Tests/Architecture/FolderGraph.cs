namespace SlimImage.Tests.Architecture;

/// <summary>
/// One use of a type of another folder: <paramref name="From"/> (the user-written type, for compiler-generated
/// closures and state machines the type that contains them) uses <paramref name="To"/> in <paramref name="Member"/>
/// ("" for the type itself) as <paramref name="Kind"/> (base, interface, attribute, field, signature, locals, body, …).
/// </summary>
internal sealed record TypeUse(string From, string Member, string Kind, string To)
{
    public override string ToString() =>
        (Member.Length == 0 ? From : From + "." + Member) + " (" + Kind + ") -> " + To;
}

/// <summary>
/// The folders of an assembly (folder = second segment of a SlimImage.* namespace) and every use of a type of one
/// folder by a type of another.
/// </summary>
internal sealed class FolderGraph
{
    /// <summary>The name given to types directly in the SlimImage namespace: they belong to no folder.</summary>
    public const string RootNamespace = "(SlimImage)";

    private readonly SortedSet<string> folders = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string From, string To), SortedSet<TypeUse>> edges = new(EdgeOrder.Instance);

    public IReadOnlySet<string> Folders => folders;

    /// <summary>Folder → folder, each with every distinct type use that makes it, in a stable order.</summary>
    public IReadOnlyDictionary<(string From, string To), SortedSet<TypeUse>> Edges => edges;

    /// <summary>The folder of a namespace, or null when the namespace is not SlimImage's (compiler and generator output).</summary>
    public static string? FolderOf(string ns)
    {
        if (ns == "SlimImage")
            return RootNamespace;
        if (!ns.StartsWith("SlimImage.", StringComparison.Ordinal))
            return null;
        var rest = ns["SlimImage.".Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    public void AddFolder(string folder) => folders.Add(folder);

    public void AddUse(string fromFolder, string toFolder, TypeUse use)
    {
        if (fromFolder == toFolder)
            return;
        if (!edges.TryGetValue((fromFolder, toFolder), out var uses))
            edges[(fromFolder, toFolder)] = uses = new SortedSet<TypeUse>(UseOrder.Instance);
        uses.Add(use);
    }

    private sealed class EdgeOrder : IComparer<(string From, string To)>
    {
        public static readonly EdgeOrder Instance = new();

        public int Compare((string From, string To) x, (string From, string To) y)
        {
            var from = string.CompareOrdinal(x.From, y.From);
            return from != 0 ? from : string.CompareOrdinal(x.To, y.To);
        }
    }

    private sealed class UseOrder : IComparer<TypeUse>
    {
        public static readonly UseOrder Instance = new();

        public int Compare(TypeUse? x, TypeUse? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
