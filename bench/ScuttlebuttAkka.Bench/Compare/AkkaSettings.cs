using System.Globalization;
using Akka.Configuration;

namespace ScuttlebuttAkka.Bench.Compare;

/// <summary>The HOCON of each Akka node in the comparison.</summary>
internal static class AkkaSettings
{
    /// <summary>
    /// Remoting on 127.0.0.1 port 0 and quiet logs; a terminated system stops without running coordinated shutdown,
    /// so a "crash" says no goodbye. Unless <paramref name="theirDefaults"/>, every periodic task that paces
    /// membership and replication runs at our interval, the failure detector gets our parameters, and subscribers
    /// are notified every 10 ms (instead of 500 ms) so notification batching does not dominate propagation.
    /// </summary>
    public static Config For(TimeSpan interval, bool theirDefaults)
    {
        var common = """
            akka {
              # A crash makes the survivors log association errors by design; the bench reports what they notice instead.
              loglevel = OFF
              stdout-loglevel = OFF
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = 127.0.0.1
                  port = 0
                }
              }
              cluster {
                log-info = off
                run-coordinated-shutdown-when-down = off
              }
              coordinated-shutdown {
                run-by-actor-system-terminate = off
                run-by-clr-shutdown-hook = off
              }
            }
            """;
        if (theirDefaults)
            return ConfigurationFactory.ParseString(common);
        var detector = Clusters.ScuttlebuttCluster.SettingsAt(interval).Liveness.Detector;
        var tuned = $$"""
            akka.cluster {
              gossip-interval = {{Ms(interval)}}
              leader-actions-interval = {{Ms(interval)}}
              unreachable-nodes-reaper-interval = {{Ms(interval)}}
              periodic-tasks-initial-delay = {{Ms(interval)}}
              failure-detector {
                heartbeat-interval = {{Ms(interval)}}
                threshold = {{detector.Threshold.ToString(CultureInfo.InvariantCulture)}}
                min-std-deviation = {{Ms(detector.MinStdDeviation)}}
                acceptable-heartbeat-pause = {{Ms(detector.AcceptableHeartbeatPause)}}
              }
              distributed-data {
                gossip-interval = {{Ms(interval)}}
                notify-subscribers-interval = 10ms
              }
            }
            """;
        return ConfigurationFactory.ParseString(tuned).WithFallback(ConfigurationFactory.ParseString(common));
    }

    private static string Ms(TimeSpan t) => ((long)Math.Max(1, Math.Round(t.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture) + "ms";
}
