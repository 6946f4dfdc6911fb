using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Simulation;

/// <summary>Node settings for simulated clusters: one-second rounds, so a virtual second is a round.</summary>
internal static class SimulationPresets
{
    /// <summary>
    /// The base of every chaos scenario. The failure detector tolerates five silent rounds on top of the mean
    /// (the network delays a datagram by up to three rounds, and an exchange needs two datagrams to survive), with a
    /// deviation floor of a quarter round. Down peers are removed after 20 s and remembered for 60 s, left peers after
    /// 10 s; tombstones live 30 s. Scenarios override what they exercise.
    /// </summary>
    public static ScuttlebuttSettings Chaos { get; } = ScuttlebuttSettings.Lan with
    {
        NodeId = "template",
        ClusterName = "chaos",
        Bind = "127.0.0.1:0",
        GossipInterval = TimeSpan.FromSeconds(1),
        TombstoneGracePeriod = TimeSpan.FromSeconds(30),
        RemovedPeerMemory = TimeSpan.FromSeconds(60),
        LeaveRounds = 3,
        Liveness = new LivenessSettings
        {
            Detector = new FailureDetectorSettings
            {
                Threshold = 8,
                MinStdDeviation = TimeSpan.FromMilliseconds(250),
                AcceptableHeartbeatPause = TimeSpan.FromSeconds(5),
                FirstHeartbeatEstimate = TimeSpan.FromSeconds(1),
            },
            DownExpiry = TimeSpan.FromSeconds(20),
            LeftExpiry = TimeSpan.FromSeconds(10),
        },
    };

    /// <summary>The chaos preset with another acceptable heartbeat pause.</summary>
    public static ScuttlebuttSettings WithPause(TimeSpan pause) => Chaos with
    {
        Liveness = Chaos.Liveness with { Detector = Chaos.Liveness.Detector with { AcceptableHeartbeatPause = pause } },
    };
}
