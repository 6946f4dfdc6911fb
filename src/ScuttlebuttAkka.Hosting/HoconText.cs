using System.Globalization;
using System.Text;

namespace ScuttlebuttAkka.Hosting;

/// <summary>Writes option values as HOCON literals that Akka's parser reads back unchanged.</summary>
internal static class HoconText
{
    /// <summary>A quoted string; every character HOCON would interpret is escaped.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"", s.Length + 2);
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else
                        sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    // Milliseconds with as many decimals as needed, so sub-millisecond values survive; Akka's parser has no
    // negative durations, which the caller rules out.
    public static string Duration(TimeSpan value) =>
        value.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture) + "ms";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Boolean(bool value) => value ? "on" : "off";

    public static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    public static string Map(IEnumerable<KeyValuePair<string, string>> pairs) =>
        "{ " + string.Join(", ", pairs.Select(p => Quote(p.Key) + " = " + Quote(p.Value))) + " }";
}
