using ScottPlot;

namespace ScuttlebuttAkka.Bench.Simulated;

/// <summary>Shared set-up and saving of the simulated experiments' plots.</summary>
internal static class SimPlot
{
    private const string FontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private const string FontName = "DejaVu Sans";

    /// <summary>A plot with a font that has glyphs (the renderer's fallback may draw empty boxes).</summary>
    public static Plot Create()
    {
        var plot = new Plot();
        if (File.Exists(FontFile))
        {
            Fonts.AddFontFile(FontName, FontFile);
            plot.Font.Set(FontName);
        }

        return plot;
    }

    /// <summary>Saves <paramref name="plot"/> as <paramref name="baseName"/>.png and .svg in <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Save(Plot plot, string directory, string baseName)
    {
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, baseName + ".png");
        var svg = Path.Combine(directory, baseName + ".svg");
        plot.SavePng(png, 1000, 560);
        plot.SaveSvg(svg, 1000, 560);
        return new[] { png, svg };
    }
}
