using System.Text;

namespace SlimImage.Report;

/// <summary>
/// Draws one image's treemap as inline SVG: layer → origin → file, each box's area its bytes in the layer's tar.
/// Labels only where they fit; every box has a title (hover) and a <c>data-n</c> text the page shows on a tap. Per
/// origin only the largest files, and per layer only the largest origins, get boxes of their own: the rest is one box,
/// so an image of 100,000 files still gives a page of bounded size.
/// </summary>
internal static class TreemapSvg
{
    public const double Width = 1000;
    public const double Height = 600;
    private const double LayerLabel = 16;
    private const double OriginLabel = 13;

    /// <summary>The fill of each kind of origin (the legend uses the same).</summary>
    public static readonly IReadOnlyDictionary<OriginKind, string> Colours = new Dictionary<OriginKind, string>
    {
        [OriginKind.App] = "#4e79a7",
        [OriginKind.Package] = "#f28e2b",
        [OriginKind.Runtime] = "#59a14f",
        [OriginKind.OsPackage] = "#e15759",
        [OriginKind.Data] = "#edc948",
        [OriginKind.HostFile] = "#b07aa1",
        [OriginKind.Generated] = "#9c755f",
        [OriginKind.Base] = "#76b7b2",
        [OriginKind.Overhead] = "#c9c9c9",
    };

    public static string Render(ReportModel model, ReportOptions options)
    {
        var svg = new StringBuilder();
        svg.Append($"<svg class=\"treemap\" viewBox=\"0 0 {ReportText.Number(Width)} {ReportText.Number(Height)}\" role=\"img\" aria-label=\"{ReportText.Html("Treemap of the image " + model.Platform + " by layer, origin and file")}\">\n");
        var layers = model.Layers.Where(l => Math.Max(l.UncompressedSize, l.FileBytes) > 0).ToList();
        var rects = Treemap.Layout(layers.Select(l => (double)Math.Max(l.UncompressedSize, l.FileBytes)).ToList(), new TreemapRect(0, 0, Width, Height));
        for (var i = 0; i < layers.Count; i++)
            Layer(svg, layers[i], rects[i], model.BaseName, options);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Layer(StringBuilder svg, ReportLayer layer, TreemapRect r, string baseName, ReportOptions options)
    {
        if (r.Area <= 0) return;
        var what = $"layer {layer.Number}: {layer.What}, {ReportText.Size(layer.UncompressedSize)} ({ReportText.Size(layer.Size)} compressed)";
        svg.Append("<g class=\"layer\">");
        Box(svg, r, "#ffffff", "layer", what, null);
        var labelled = r.Height > 2 * LayerLabel && r.Width > 40;
        if (labelled) Label(svg, r, what, 11, "layer-label");
        var inner = r.Inset(2, labelled ? LayerLabel - 2 : 0);

        var origins = layer.Origins.Take(options.OriginsPerLayer).ToList();
        var rest = layer.Origins.Skip(options.OriginsPerLayer).ToList();
        var items = origins.Select(o => (Origin: o, Bytes: o.Size)).ToList();
        if (rest.Count > 0)
            items.Add((new ReportOrigin($"{rest.Count} smaller origins", OriginKind.Overhead,
                [new ReportFile($"{rest.Count} smaller origins ({rest.Sum(o => o.Files.Count)} files)", rest.Sum(o => o.Size))]), rest.Sum(o => o.Size)));
        if (layer.Overhead > 0)
        {
            var name = layer.What.StartsWith("base image", StringComparison.Ordinal)
                ? "tar headers, folders, links and files later layers replace"
                : "tar headers, folders and links";
            items.Add((new ReportOrigin(name, OriginKind.Overhead, [new ReportFile(name, layer.Overhead)]), layer.Overhead));
        }
        var boxes = Treemap.Layout(items.Select(i => (double)i.Bytes).ToList(), inner);
        for (var i = 0; i < items.Count; i++)
            Origin(svg, items[i].Origin, boxes[i], layer.Number, options);
        svg.Append("</g>\n");
    }

    private static void Origin(StringBuilder svg, ReportOrigin origin, TreemapRect r, int layer, ReportOptions options)
    {
        if (r.Area <= 0) return;
        var colour = Colours[origin.Kind];
        var what = $"{origin.Name}: {ReportText.Size(origin.Size)} in {ReportText.Count(origin.Files.Count)} file(s), layer {layer}";
        svg.Append("<g class=\"origin\">");
        Box(svg, r, colour, "origin", what, 0.35);
        var labelled = r.Height > 2.5 * OriginLabel && r.Width > 50;
        if (labelled) Label(svg, r, origin.Name, 10, "origin-label");
        var inner = r.Inset(1.5, labelled ? OriginLabel - 1.5 : 0);
        var files = origin.Files.Take(options.FilesPerOrigin).ToList();
        var rest = origin.Files.Skip(options.FilesPerOrigin).ToList();
        if (rest.Count > 0)
            files.Add(new ReportFile($"{rest.Count} smaller files of {origin.Name}", rest.Sum(f => f.Size)));
        var boxes = Treemap.Layout(files.Select(f => (double)f.Size).ToList(), inner);
        for (var i = 0; i < files.Count; i++)
        {
            if (boxes[i].Area <= 0) continue;
            var f = files[i];
            var text = $"{f.Path}: {ReportText.Size(f.Size)} ({origin.Name}, layer {layer})" + (f.Why is { Length: > 0 } why ? " — " + why : "");
            Box(svg, boxes[i], colour, "file", text, i % 2 == 0 ? 0.95 : 0.8);
            if (boxes[i].Height > 12 && boxes[i].Width > 40)
                Label(svg, boxes[i], f.Path[(f.Path.LastIndexOf('/') + 1)..], 9, "file-label");
        }
        svg.Append("</g>");
    }

    private static void Box(StringBuilder svg, TreemapRect r, string fill, string cls, string title, double? opacity)
    {
        var text = ReportText.Html(title);
        svg.Append($"<rect class=\"{cls}\" x=\"{ReportText.Number(r.X)}\" y=\"{ReportText.Number(r.Y)}\" width=\"{ReportText.Number(r.Width)}\" height=\"{ReportText.Number(r.Height)}\" fill=\"{fill}\"");
        if (opacity != null) svg.Append($" fill-opacity=\"{ReportText.Number(opacity.Value)}\"");
        svg.Append($" data-n=\"{text}\"><title>{text}</title></rect>");
    }

    // SVG text does not wrap or clip by itself: cut the label to what the box holds (about 0.6 em per character).
    private static void Label(StringBuilder svg, TreemapRect r, string text, double size, string cls)
    {
        var fits = (int)((r.Width - 6) / (size * 0.6));
        if (fits < 3) return;
        if (text.Length > fits) text = text[..Math.Max(1, fits - 1)] + "…";
        svg.Append($"<text class=\"{cls}\" x=\"{ReportText.Number(r.X + 3)}\" y=\"{ReportText.Number(r.Y + size + 1)}\" font-size=\"{ReportText.Number(size)}\">{ReportText.Html(text)}</text>");
    }
}
