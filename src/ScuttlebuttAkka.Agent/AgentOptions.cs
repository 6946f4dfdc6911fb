using Akka.Configuration;

namespace ScuttlebuttAkka.Agent;

/// <summary>What the agent was asked to do, from its command line and its --config file.</summary>
/// <param name="Settings">The node's settings (file, preset, then flags: id, addresses, seeds, cluster, initial keys).</param>
/// <param name="FileConfig">The whole --config file (its akka section configures the actor system), or empty.</param>
/// <param name="Output">Text or JSON on standard output.</param>
/// <param name="TableEvery">Print the member table this often; null for never (it is always printed on request).</param>
/// <param name="ExitOnEof">Leave and exit when standard input ends.</param>
/// <param name="ShowUpdates">Also print key updates and deletes, not only membership changes.</param>
/// <param name="Verbose">Let Akka log at Info level, and show the stack of logged exceptions.</param>
/// <param name="MetricsPort">Serve Prometheus metrics on this port (0 picks one); null for no endpoint.</param>
/// <param name="MetricsHost">The address the metrics endpoint listens on.</param>
internal sealed record AgentOptions(
    ScuttlebuttSettings Settings,
    Config FileConfig,
    OutputFormat Output,
    TimeSpan? TableEvery,
    bool ExitOnEof,
    bool ShowUpdates,
    bool Verbose,
    int? MetricsPort,
    string MetricsHost);
