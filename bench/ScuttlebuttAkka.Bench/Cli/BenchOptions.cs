namespace ScuttlebuttAkka.Bench.Cli;

/// <summary>The options every measuring subcommand shares, parsed.</summary>
/// <param name="Command">The subcommand ("all" for the default).</param>
/// <param name="Nodes">Cluster size.</param>
/// <param name="Interval">Gossip interval.</param>
/// <param name="Trials">Propagation (and discovery) trials.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="JsonPath">Where the JSON report goes.</param>
/// <param name="OutDirectory">Where plots go.</param>
/// <param name="IdleWindow">Idle-cost window and false-positive watch.</param>
/// <param name="TheirDefaults">compare: run Akka with its default intervals.</param>
/// <param name="Transport">Where our nodes run: real UDP or the simulator.</param>
internal sealed record BenchOptions(
    string Command,
    int Nodes,
    TimeSpan Interval,
    int Trials,
    int Seed,
    string JsonPath,
    string OutDirectory,
    TimeSpan IdleWindow,
    bool TheirDefaults,
    BenchTransport Transport = BenchTransport.Udp);
