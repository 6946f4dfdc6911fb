// Proof that the packages work as installed: two nodes over real UDP on 127.0.0.1 (one hosted with
// ScuttlebuttAkka.Hosting, one started with the core's facade) exchange a key, the hosted one leaves when its host
// stops, and the other reports it "left"; then a simulated cluster (ScuttlebuttAkka.Simulation) spreads a write.
// Exit code 0 on success; otherwise 1 and one line on standard error saying what failed.
using System.Reflection;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Actor.Dsl;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScuttlebuttAkka;
using ScuttlebuttAkka.Hosting;
using ScuttlebuttAkka.Simulation;

var framework = RuntimeInformation.FrameworkDescription;
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
var step = "starting";
try
{
    step = "checking the installed version";
    var expected = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ScuttlebuttVersion").Value!;
    foreach (var assembly in new[] { typeof(ScuttlebuttNode).Assembly, typeof(ScuttlebuttOptions).Assembly, typeof(ClusterSimulator).Assembly })
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        if (!version.StartsWith(expected, StringComparison.Ordinal))
            throw new InvalidOperationException($"{assembly.GetName().Name} is version '{version}', not the packed '{expected}'");
    }

    step = "starting the hosted node";
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Services.AddAkka("consumer-hosted", akka => akka
        .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
        .WithScuttlebutt(new ScuttlebuttOptions
        {
            Preset = ScuttlebuttPreset.Local,
            NodeId = "hosted",
            Bind = "127.0.0.1:0",
            InitialState = new Dictionary<string, string> { ["role"] = "api" },
        }));
    builder.Services.AddScuttlebuttNode();
    using var host = builder.Build();
    await host.StartAsync(deadline.Token);
    var hosted = host.Services.GetRequiredService<ScuttlebuttNode>();

    step = "starting the plain node";
    using var system = ActorSystem.Create("consumer-plain", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
    var plain = await ScuttlebuttNode.StartAsync(system, ScuttlebuttSettings.Local with
    {
        NodeId = "plain",
        Bind = "127.0.0.1:0",
        Seeds = new[] { hosted.Address },
    }, deadline.Token);

    var hostedSawGreeting = Watch(hosted, e => e is PeerEvent.Updated { PeerId: "plain", Key: "greeting", Value: "hello" });
    var plainSawRole = Watch(plain, e => e is PeerEvent.Updated { PeerId: "hosted", Key: "role", Value: "api" });
    var plainSawLeft = Watch(plain, e => e is PeerEvent.Left { PeerId: "hosted" });
    var plainSawDown = Watch(plain, e => e is PeerEvent.Down { PeerId: "hosted" });
    await Task.WhenAll(hostedSawGreeting.Subscribed, plainSawRole.Subscribed, plainSawLeft.Subscribed, plainSawDown.Subscribed).WaitAsync(deadline.Token);

    step = "exchanging keys";
    plain.UpdateLocal("greeting", "hello");
    await Task.WhenAll(hostedSawGreeting.Seen, plainSawRole.Seen).WaitAsync(deadline.Token);
    if (hosted.Lookup("plain", "greeting") != "hello" || plain.Lookup("hosted", "role") != "api")
        throw new InvalidOperationException("an event arrived but the view does not hold the key");
    Console.WriteLine($"consumer: keys exchanged between {hosted.Address} and {plain.Address}");

    step = "leaving (stopping the host)";
    await host.StopAsync(deadline.Token);
    await plainSawLeft.Seen.WaitAsync(deadline.Token);
    if (plainSawDown.Seen.IsCompleted)
        throw new InvalidOperationException("the leaving node was reported down");
    Console.WriteLine("consumer: the hosted node left and the plain node reported it left");
    await plain.StopAsync();

    step = "simulating a faulty cluster";
    var simulated = Simulate(seed: 42);
    if (simulated.Took is null)
        throw new InvalidOperationException("the simulated write did not reach every node within a virtual minute");
    if (Simulate(seed: 42).Trace != simulated.Trace)
        throw new InvalidOperationException("two simulations with the same seed differ");
    Console.WriteLine($"consumer: a simulated write reached 19 nodes under 10% loss in {simulated.Took.Value.TotalMilliseconds} ms of virtual time");

    Console.WriteLine($"consumer: OK on {framework}, packages {expected}");
    return 0;
}
catch (Exception ex)
{
    var reason = deadline.IsCancellationRequested ? "timed out after 90 s" : $"{ex.GetType().Name}: {ex.Message}";
    Console.Error.WriteLine($"consumer: FAILED on {framework} while {step}: {reason.ReplaceLineEndings(" ")}");
    return 1;
}

// Completes Seen with the first event of the node that matches; Subscribed once the subscription is in place.
static (Task Subscribed, Task Seen) Watch(ScuttlebuttNode node, Func<PeerEvent, bool> match)
{
    var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var watcher = node.System.ActorOf(act => act.ReceiveAny((m, _) =>
    {
        if (m is PeerEvent e && match(e))
            seen.TrySetResult();
    }));
    return (node.SubscribeAsync(watcher, initialStateAsEvents: true), seen.Task);
}

static (TimeSpan? Took, ulong Trace) Simulate(int seed)
{
    var sim = new ClusterSimulator(new SimulationOptions { NodeCount = 20, Seed = seed, Faults = new LinkFaults { Loss = 0.1 } });
    var leader = sim.Nodes[0].Id;
    var informed = new HashSet<string>();
    sim.PeerEventSink = e => { if (e is PeerEvent.Updated { Key: "leader" }) informed.Add(e.NodeId); };
    sim.RunFor(TimeSpan.FromSeconds(10));
    sim.Write(leader, "leader", leader);
    var took = sim.RunUntil(_ => informed.Count == 19, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
    return (took, sim.TraceHash);
}
