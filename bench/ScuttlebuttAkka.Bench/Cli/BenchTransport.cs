namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>Where the measuring commands run our nodes (--transport).</summary>
internal enum BenchTransport
{
    /// <summary>Real UDP sockets on 127.0.0.1, in real time.</summary>
    Udp,

    /// <summary>The deterministic simulator in virtual time.</summary>
    Sim,
}
