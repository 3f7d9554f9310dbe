namespace SlimImage.Report;

/// <summary>A rectangle of the treemap, in the SVG's user units.</summary>
public readonly record struct TreemapRect(double X, double Y, double Width, double Height)
{
    public double Area => Width * Height;

    /// <summary>This rectangle less <paramref name="pad"/> on each side and <paramref name="top"/> more at the top (for a label).</summary>
    public TreemapRect Inset(double pad, double top = 0)
    {
        var w = Math.Max(0, Width - 2 * pad);
        var h = Math.Max(0, Height - 2 * pad - top);
        return new TreemapRect(X + pad, Y + pad + top, w, h);
    }
}

/// <summary>
/// The squarified treemap layout (Bruls, Huizing and van Wijk, 2000): items largest first, laid in rows along the
/// shorter side of the space left, a row growing while that makes its rectangles no longer (closer to squares). Each
/// item's area is its share of the weights; the result is the same for the same weights, whatever the machine.
/// </summary>
public static class Treemap
{
    /// <summary>
    /// One rectangle per weight, in the order of <paramref name="weights"/>, tiling <paramref name="bounds"/>. Weights
    /// of 0 (or less) get an empty rectangle; all of 0 give only empty ones.
    /// </summary>
    public static TreemapRect[] Layout(IReadOnlyList<double> weights, TreemapRect bounds)
    {
        var result = new TreemapRect[weights.Count];
        var order = Enumerable.Range(0, weights.Count).Where(i => weights[i] > 0)
            .OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        var total = order.Sum(i => weights[i]);
        for (var i = 0; i < result.Length; i++) result[i] = new TreemapRect(bounds.X, bounds.Y, 0, 0);
        if (total <= 0 || bounds.Area <= 0) return result;
        var scale = bounds.Area / total;
        var areas = order.Select(i => weights[i] * scale).ToArray();
        var free = bounds;
        var start = 0;
        while (start < order.Length)
        {
            var side = Math.Min(free.Width, free.Height);
            var end = start + 1;
            var sum = areas[start];
            var worst = Worst(areas, start, end, sum, side);
            while (end < order.Length)
            {
                var next = Worst(areas, start, end + 1, sum + areas[end], side);
                if (next > worst) break;
                worst = next;
                sum += areas[end];
                end++;
            }
            // The last row takes all that is left, so rounding never leaves a sliver uncovered.
            var last = end == order.Length;
            if (free.Width >= free.Height)
            {
                var width = last ? free.Width : Math.Min(free.Width, sum / free.Height);
                var y = free.Y;
                for (var k = start; k < end; k++)
                {
                    var height = k == end - 1 ? free.Y + free.Height - y : areas[k] / width;
                    result[order[k]] = new TreemapRect(free.X, y, width, height);
                    y += height;
                }
                free = new TreemapRect(free.X + width, free.Y, free.Width - width, free.Height);
            }
            else
            {
                var height = last ? free.Height : Math.Min(free.Height, sum / free.Width);
                var x = free.X;
                for (var k = start; k < end; k++)
                {
                    var width = k == end - 1 ? free.X + free.Width - x : areas[k] / height;
                    result[order[k]] = new TreemapRect(x, free.Y, width, height);
                    x += width;
                }
                free = new TreemapRect(free.X, free.Y + height, free.Width, free.Height - height);
            }
            start = end;
        }
        return result;
    }

    /// <summary>The worst aspect ratio of a row of <paramref name="sum"/> laid along a side of <paramref name="side"/>.</summary>
    private static double Worst(double[] areas, int start, int end, double sum, double side)
    {
        var worst = 0.0;
        var side2 = side * side;
        var sum2 = sum * sum;
        for (var k = start; k < end; k++)
            worst = Math.Max(worst, Math.Max(side2 * areas[k] / sum2, sum2 / (side2 * areas[k])));
        return worst;
    }
}
