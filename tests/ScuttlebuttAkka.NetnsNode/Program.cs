using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using ScuttlebuttAkka;
using ScuttlebuttAkka.NetnsNode;

// Runs one node until stdin says "quit" (or closes). Every line meant for the test starts with "VIEW " or "READY ",
// so Akka's own log lines on the same stdout are easy to skip.
NodeArguments arguments;
try
{
    arguments = NodeArguments.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.log-dead-letters = off");
using var system = ActorSystem.Create("netns", config);
var settings = ScuttlebuttSettings.Local with
{
    NodeId = arguments.Id,
    ClusterName = arguments.Cluster,
    Bind = arguments.Bind,
    Seeds = arguments.Seeds,
    InitialState = arguments.Initial,
};
var node = await ScuttlebuttNode.StartAsync(system, settings);
foreach (var (key, value) in arguments.Writes)
    await node.UpdateLocalAsync(key, value);
Console.WriteLine("READY " + JsonSerializer.Serialize(new { node = node.NodeId, address = node.Address }));

using var stop = new CancellationTokenSource();
var input = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        if (line.Trim() == "quit")
            break;
    }

    await stop.CancelAsync();
});

while (!stop.IsCancellationRequested)
{
    var view = node.View.Peers.Values
        .Where(p => p.PeerId != node.NodeId)
        .ToDictionary(p => p.PeerId, p => new { status = p.Status.ToString(), keys = p.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Value) });
    var statistics = node.Statistics;
    Console.WriteLine("VIEW " + JsonSerializer.Serialize(new { node = node.NodeId, peers = view, datagramsIn = statistics.DatagramsIn, datagramsOut = statistics.DatagramsOut }));
    try
    {
        await Task.Delay(TimeSpan.FromMilliseconds(250), stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
}

await node.LeaveAsync(TimeSpan.FromSeconds(3));
await input;
return 0;
