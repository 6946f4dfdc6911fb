namespace ScuttlebuttAkka.Agent;

/// <summary>The agent's exit codes, the same for every way of failing (documented in the README).</summary>
internal static class ExitCode
{
    /// <summary>The node ran and left (or was told to stop); also after --help and --version.</summary>
    public const int Ok = 0;

    /// <summary>The arguments were fine but running failed: the socket could not be bound, the node stopped, ...</summary>
    public const int RuntimeFailure = 1;

    /// <summary>The command line or the --config file was wrong; nothing was started.</summary>
    public const int Usage = 2;
}
