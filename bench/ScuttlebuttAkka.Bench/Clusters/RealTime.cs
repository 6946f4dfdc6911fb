using System.Diagnostics;

namespace ScuttlebuttAkka.Bench.Clusters;

/// <summary>Waiting on the wall clock, for clusters that run in real time (UDP loopback, Akka remoting).</summary>
internal static class RealTime
{
    /// <summary>Waits until <paramref name="condition"/> holds, re-checking at each observation of <paramref name="log"/> and at least every 50 ms.</summary>
    public static async Task<bool> WaitUntilAsync(ObservationLog log, Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var next = log.NextChange;
            if (condition())
                return true;
            var remaining = timeout - watch.Elapsed;
            if (remaining <= TimeSpan.Zero)
                return false;
            // The periodic re-check covers conditions that change without an observation (a node stopping).
            var slice = remaining < TimeSpan.FromMilliseconds(50) ? remaining : TimeSpan.FromMilliseconds(50);
            try
            {
                await next.WaitAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}
