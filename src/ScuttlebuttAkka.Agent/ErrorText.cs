using System.Text.RegularExpressions;

namespace ScuttlebuttAkka.Agent;

/// <summary>Turns an exception into the one line an operator reads: no parameter suffix, no actual-value line, no stack.</summary>
internal static partial class ErrorText
{
    /// <summary>The exception's own message on one line, without .NET's " (Parameter 'X')" and "Actual value was" additions.</summary>
    public static string Of(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        // ArgumentOutOfRangeException puts the actual value on a line of its own, and ArgumentException appends the
        // parameter name; the library's messages already name the setting and the value, so both only add noise.
        var text = error.Message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? error.GetType().Name;
        return ParameterSuffix().Replace(text, "").Trim();
    }

    /// <summary>One line for the innermost cause of <paramref name="error"/> (the socket error under a bind failure, say).</summary>
    public static string OfInnermost(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Of(error.GetBaseException());
    }

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)\s*$")]
    private static partial Regex ParameterSuffix();
}
