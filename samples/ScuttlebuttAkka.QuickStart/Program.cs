// The README's quick start, kept here so it always compiles. Run two copies:
//   dotnet run --project samples/ScuttlebuttAkka.QuickStart -- 7001
//   dotnet run --project samples/ScuttlebuttAkka.QuickStart -- 7002 127.0.0.1:7001
// <quickstart>
using Akka.Actor;
using Akka.Actor.Dsl;
using ScuttlebuttAkka;

var port = args.Length > 0 ? args[0] : "7001";
var seeds = args.Skip(1).ToArray();

using var system = ActorSystem.Create("quickstart");
var node = await ScuttlebuttNode.StartAsync(system, ScuttlebuttSettings.Local with
{
    NodeId = $"node-{port}",
    Bind = $"127.0.0.1:{port}",
    Seeds = seeds,                       // e.g. "127.0.0.1:7001"
});

// Print membership and state changes as this node observes them.
var printer = system.ActorOf(act => act.ReceiveAny((m, _) => Console.WriteLine(m)));
await node.SubscribeAsync(printer, initialStateAsEvents: true);

// Our own state: every peer will see it.
node.UpdateLocal("routing.addr", $"10.0.0.1:{port}");
node.UpdateLocal("status", "ready");

Console.WriteLine($"{node.NodeId} listening on {node.Address}; press Enter to leave.");
Console.ReadLine();
foreach (var peer in node.Peers)
    Console.WriteLine($"{peer.PeerId} {peer.Status} routing.addr={node.Lookup(peer.PeerId, "routing.addr")}");
await node.LeaveAsync();
// </quickstart>
