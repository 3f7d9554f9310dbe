namespace SlimImage.Publish.Bundle;

/// <summary>
/// What an embedded file is, as the bundler records it (Microsoft.NET.HostModel/Bundle/FileType.cs; the host's
/// file_type_t is one byte with the same values).
/// </summary>
public enum BundleFileType : byte
{
    Unknown = 0,
    Assembly = 1,
    NativeBinary = 2,
    DepsJson = 3,
    RuntimeConfigJson = 4,
    Symbols = 5,
}

/// <summary>
/// One file embedded in a single-file bundle: where its bytes are in the bundle, its size, and its size as stored
/// (<see cref="CompressedSize"/> 0: stored as it is; otherwise raw deflate, EnableCompressionInSingleFile).
/// </summary>
public sealed record BundleEntry(long Offset, long Size, long CompressedSize, BundleFileType Type, string RelativePath)
{
    public bool IsCompressed => CompressedSize > 0;

    /// <summary>The bytes the entry takes in the bundle.</summary>
    public long StoredSize => IsCompressed ? CompressedSize : Size;

    /// <summary>
    /// Whether the host writes the file out before use (file_entry.cpp, needs_extraction): assemblies, the deps and
    /// runtimeconfig files are used from the bundle itself; everything else goes under DOTNET_BUNDLE_EXTRACT_BASE_DIR.
    /// </summary>
    public bool IsExtracted => Type is not (BundleFileType.Assembly or BundleFileType.DepsJson or BundleFileType.RuntimeConfigJson);
}

/// <summary>
/// The manifest of a single-file bundle (<c>PublishSingleFile=true</c>): the apphost with the app's files appended and,
/// after them, a header the apphost finds through the offset it stores next to the bundle signature
/// (src/native/corehost/bundle/header.cpp, file_entry.cpp; Microsoft.NET.HostModel/Bundle/Manifest.cs).
/// </summary>
public sealed record BundleManifest(string BundlePath, uint MajorVersion, uint MinorVersion, string BundleId, ulong Flags,
    IReadOnlyList<BundleEntry> Entries)
{
    /// <summary>Header flag netcoreapp3_compat_mode (IncludeAllContentForSelfExtract): every file is extracted.</summary>
    public const ulong ExtractAllFlag = 2;

    /// <summary>Whether the host extracts anything at start, which needs a writable extraction folder.</summary>
    public bool Extracts => Entries.Any(e => (Flags & ExtractAllFlag) != 0 || e.IsExtracted);
}
