using ScottPlot;
using ScuttlebuttAkka.Bench.Scenarios;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>
/// The propagation distribution as cumulative curves: for each system, the share of (trial, node) pairs that had a
/// write by time t, and the share of trials in which every node had it by time t.
/// </summary>
internal static class PropagationPlot
{
    private const string FontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private const string FontName = "DejaVu Sans";

    /// <summary>Writes <paramref name="baseName"/>.png and .svg into <paramref name="directory"/>; returns the paths, or none without data.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<SuiteResult> results, string directory, string baseName, string title)
    {
        var withData = results.Where(r => r.Propagation is { PerNodeMs.Length: > 0 }).ToArray();
        if (withData.Length == 0)
            return Array.Empty<string>();
        Directory.CreateDirectory(directory);
        var plot = new Plot();
        // Without a font file the renderer may fall back to one with no glyphs and draw empty boxes.
        if (File.Exists(FontFile))
        {
            Fonts.AddFontFile(FontName, FontFile);
            plot.Font.Set(FontName);
        }

        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < withData.Length; i++)
        {
            var result = withData[i];
            var color = palette.GetColor(i);
            AddCdf(plot, result.Propagation!.PerNodeMs, $"{result.System}: each node", color, LinePattern.Solid);
            AddCdf(plot, result.Propagation.ToAllMs, $"{result.System}: all nodes (per trial)", color, LinePattern.Dashed);
        }

        plot.Title(title);
        plot.XLabel("time since the write (ms)");
        plot.YLabel("share that has the write");
        plot.Axes.SetLimitsY(0, 1.02);
        plot.Axes.SetLimitsX(0, withData.Max(r => r.Propagation!.PerNodeMs.Concat(r.Propagation.ToAllMs).DefaultIfEmpty(0).Max()) * 1.05 + 1);
        plot.ShowLegend(Alignment.LowerRight);
        var png = Path.Combine(directory, baseName + ".png");
        var svg = Path.Combine(directory, baseName + ".svg");
        plot.SavePng(png, 1000, 560);
        plot.SaveSvg(svg, 1000, 560);
        return new[] { png, svg };
    }

    private static void AddCdf(Plot plot, double[] samplesMs, string label, Color color, LinePattern pattern)
    {
        if (samplesMs.Length == 0)
            return;
        var sorted = samplesMs.Order().ToArray();
        // A step curve: the share rises at each sample.
        var xs = new List<double> { 0 };
        var ys = new List<double> { 0 };
        for (var i = 0; i < sorted.Length; i++)
        {
            xs.Add(sorted[i]);
            ys.Add((double)i / sorted.Length);
            xs.Add(sorted[i]);
            ys.Add((double)(i + 1) / sorted.Length);
        }

        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), color);
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.LegendText = label;
    }
}
