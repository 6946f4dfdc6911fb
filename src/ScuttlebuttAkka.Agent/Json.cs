using System.Globalization;
using System.Text.Json;

namespace ScuttlebuttAkka.Agent;

/// <summary>Small helpers for the agent's JSON lines.</summary>
internal static class Json
{
    /// <summary>Writes <paramref name="value"/>, or null when it is not a finite number (JSON has no NaN or infinity).</summary>
    public static void NumberOrNull(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumber(name, Math.Round(value, 3));
        else
            writer.WriteNull(name);
    }

    /// <summary>Phi as the text lines show it: one decimal, or "inf".</summary>
    public static string FormatPhi(double phi) =>
        double.IsPositiveInfinity(phi) ? "inf" : phi.ToString("0.0", CultureInfo.InvariantCulture);
}
