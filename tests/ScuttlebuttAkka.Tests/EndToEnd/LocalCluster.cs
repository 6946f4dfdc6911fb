using Akka.Actor;
using ScuttlebuttAkka.Transport;

namespace ScuttlebuttAkka.Tests.EndToEnd;

/// <summary>Starts nodes of one test cluster in one ActorSystem on loopback, port 0, Local preset.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly TransportFactory _transport;
    private readonly List<ScuttlebuttNode> _nodes = new();

    public LocalCluster(ActorSystem system, TransportFactory? transport = null, string? clusterName = null)
    {
        _system = system;
        _transport = transport ?? Transports.Udp;
        ClusterName = clusterName ?? "test-" + Guid.NewGuid().ToString("N")[..8];
    }

    public string ClusterName { get; }

    public IReadOnlyList<ScuttlebuttNode> Nodes => _nodes;

    public static ScuttlebuttSettings Settings(string id, string clusterName, params string[] seeds) => ScuttlebuttSettings.Local with
    {
        NodeId = id,
        ClusterName = clusterName,
        Bind = "127.0.0.1:0",
        Seeds = seeds,
        RandomSeed = id.GetHashCode(StringComparison.Ordinal),
    };

    public async Task<ScuttlebuttNode> StartAsync(string id, Func<ScuttlebuttSettings, ScuttlebuttSettings>? configure = null, params string[] seeds)
    {
        var settings = Settings(id, ClusterName, seeds);
        if (configure is not null)
            settings = configure(settings);
        var node = await ScuttlebuttNode.StartAsync(_system, settings, _transport);
        _nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.StopAsync();
    }
}
