namespace ScuttlebuttAkka.Agent;

/// <summary>What the agent was asked to do, parsed from its command line.</summary>
/// <param name="Settings">The node's settings (preset, id, addresses, seeds, cluster, initial keys).</param>
/// <param name="TableEvery">Print the member table this often; null for never (it is always printed on request).</param>
/// <param name="ExitOnEof">Leave and exit when standard input ends.</param>
/// <param name="ShowUpdates">Also print key updates and deletes, not only membership changes.</param>
/// <param name="Verbose">Let Akka log at Info level.</param>
internal sealed record AgentOptions(ScuttlebuttSettings Settings, TimeSpan? TableEvery, bool ExitOnEof, bool ShowUpdates, bool Verbose);
