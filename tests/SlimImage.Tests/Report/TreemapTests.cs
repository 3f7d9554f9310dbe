using SlimImage.Report;
using Xunit;

namespace SlimImage.Tests.Report;

public class TreemapTests
{
    private static readonly TreemapRect Bounds = new(10, 20, 1000, 600);

    [Theory]
    [InlineData(new double[] { 6, 6, 4, 3, 2, 2, 1 })]
    [InlineData(new double[] { 1 })]
    [InlineData(new double[] { 1000000, 1, 1, 1 })]
    [InlineData(new double[] { 5, 0, 3, 0 })]
    public void EachBoxHasItsShareOfTheAreaInsideTheBoundsWithoutOverlap(double[] weights)
    {
        var rects = Treemap.Layout(weights, Bounds);
        Assert.Equal(weights.Length, rects.Length);
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            var r = rects[i];
            Assert.Equal(Bounds.Area * weights[i] / total, r.Area, 6);
            Assert.True(r.X >= Bounds.X - 1e-9 && r.Y >= Bounds.Y - 1e-9, $"box {i} starts outside: {r}");
            Assert.True(r.X + r.Width <= Bounds.X + Bounds.Width + 1e-6 && r.Y + r.Height <= Bounds.Y + Bounds.Height + 1e-6, $"box {i} ends outside: {r}");
            for (var j = 0; j < i; j++)
            {
                var o = rects[j];
                var overlapW = Math.Min(r.X + r.Width, o.X + o.Width) - Math.Max(r.X, o.X);
                var overlapH = Math.Min(r.Y + r.Height, o.Y + o.Height) - Math.Max(r.Y, o.Y);
                Assert.False(overlapW > 1e-6 && overlapH > 1e-6, $"boxes {j} and {i} overlap: {o} {r}");
            }
        }
        Assert.Equal(Bounds.Area, rects.Sum(r => r.Area), 6);
    }

    [Fact]
    public void BoxesAreCloseToSquaresUnlikeSlices()
    {
        // Twenty equal weights in a 1000x600 box: slicing would give 50x600 strips (ratio 12); squarified stays near 1.
        var rects = Treemap.Layout(Enumerable.Repeat(1.0, 20).ToList(), Bounds);
        Assert.All(rects, r => Assert.True(Math.Max(r.Width / r.Height, r.Height / r.Width) < 3, $"{r} is a sliver"));
    }

    [Fact]
    public void TheLayoutDependsOnTheWeightsOnlyNotOnTheirOrder()
    {
        double[] weights = [3, 9, 1, 4, 4, 7];
        var first = Treemap.Layout(weights, Bounds);
        var shuffled = Treemap.Layout([4, 1, 9, 7, 3, 4], Bounds);
        Assert.Equal(first[1], shuffled[2]); // 9
        Assert.Equal(first[5], shuffled[3]); // 7
        Assert.Equal(first[2], shuffled[1]); // 1
        Assert.Equal(first, Treemap.Layout(weights, Bounds));
    }

    [Fact]
    public void NoWeightOrNoRoomGivesEmptyBoxes()
    {
        Assert.All(Treemap.Layout([0, 0], Bounds), r => Assert.Equal(0, r.Area));
        Assert.All(Treemap.Layout([1, 2], new TreemapRect(0, 0, 0, 100)), r => Assert.Equal(0, r.Area));
        Assert.Empty(Treemap.Layout([], Bounds));
    }
}
