namespace ScuttlebuttAkka.Agent;

/// <summary>A mistake in the command line or the configuration file: reported in one line, exit code <see cref="ExitCode.Usage"/>.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the error with the one-line <paramref name="message"/> shown to the operator.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with the one-line <paramref name="message"/> and what caused it.</summary>
    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the error with a generic message (for serializers; the agent always gives one).</summary>
    public UsageException()
        : base("invalid usage")
    {
    }
}
