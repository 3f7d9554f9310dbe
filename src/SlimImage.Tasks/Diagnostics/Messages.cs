using System.Globalization;
using System.Resources;

namespace SlimImage.Diagnostics;

/// <summary>
/// Every user-facing message lives in a resource file, keyed by its code and starting with it
/// (<c>SLIM2001: ...</c>), as the SDK's container support does with CONTAINERnnnn. One file per group of codes:
/// 1xxx project and input (<c>Input.resx</c>), 2xxx ELF and closure (<c>Elf.resx</c>), 3xxx layers, image and
/// archive (<c>Image.resx</c>), 4xxx registry (<c>Registry.resx</c>), 5xxx the smoke run and what is made beside the image: 5000-5049 the smoke run
/// (<c>Smoke.resx</c>), 5050-5099 the size report (<c>Report.resx</c>), 51xx the SBOM (<c>Sbom.resx</c>), 52xx labels and what scanners see (<c>SupplyChain.resx</c>),
/// 53xx several platforms in one image index (<c>MultiPlatform.resx</c>).
/// </summary>
public static class Messages
{
    private static readonly string[] Groups = ["Input", "Elf", "Image", "Registry", "Smoke", "Report", "Sbom", "SupplyChain", "MultiPlatform"];

    private static readonly ResourceManager[] Resources = Groups
        .Select(g => new ResourceManager("SlimImage.Diagnostics." + g, typeof(Messages).Assembly))
        .ToArray();

    public static string Format(string code, params object?[] args)
    {
        var text = Lookup(code)
            ?? throw new InvalidOperationException($"No message for code {code} in Diagnostics/*.resx.");
        return args.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, args);
    }

    private static string? Lookup(string code)
    {
        foreach (var r in Resources)
        {
            try
            {
                var text = r.GetString(code, CultureInfo.InvariantCulture);
                if (text != null) return text;
            }
            catch (MissingManifestResourceException)
            {
                // a group with no codes yet
            }
        }
        return null;
    }

    /// <summary>All codes and their raw texts, for the uniqueness test and the docs page.</summary>
    public static IEnumerable<(string Group, string Code, string Text)> All()
    {
        for (var i = 0; i < Groups.Length; i++)
        {
            ResourceSet? set;
            try { set = Resources[i].GetResourceSet(CultureInfo.InvariantCulture, true, true); }
            catch (MissingManifestResourceException) { continue; }
            if (set == null) continue;
            foreach (System.Collections.DictionaryEntry e in set)
                yield return (Groups[i], (string)e.Key, (string)e.Value!);
        }
    }

    public static string StripCode(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && message.StartsWith("SLIM", StringComparison.Ordinal) ? message[(colon + 2)..] : message;
    }
}
