using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using ScuttlebuttAkka.Diagnostics;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// Serves the library's meter (<see cref="ScuttlebuttMetrics.MeterName"/>) in Prometheus text format over HTTP, with
/// OpenTelemetry's Prometheus HttpListener exporter, at <c>http://HOST:PORT/metrics</c>.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    // Port 0 asks for a free port; HttpListener cannot bind port 0 itself, so a free one is found and tried, and
    // another if something took it in between.
    private const int FreePortAttempts = 5;

    private readonly MeterProvider _provider;

    private MetricsEndpoint(MeterProvider provider, string url)
    {
        _provider = provider;
        Url = url;
    }

    /// <summary>Where the metrics are served.</summary>
    public string Url { get; }

    /// <summary>
    /// Starts serving on <paramref name="host"/> (an IP address, a host name, or * for every interface) and
    /// <paramref name="port"/> (0 for a free port); throws <see cref="InvalidOperationException"/> when it cannot.
    /// </summary>
    public static MetricsEndpoint Start(string host, int port, string nodeId)
    {
        var attempts = port == 0 ? FreePortAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            var chosen = port == 0 ? FreeTcpPort(host) : port;
            var everywhere = host is "*" or "+";
            var url = $"http://{(everywhere ? "*" : UrlHost(host))}:{chosen}/metrics";
            try
            {
                var provider = Sdk.CreateMeterProviderBuilder()
                    .ConfigureResource(r => r.AddService("scuttlebutt-agent", serviceInstanceId: nodeId))
                    .AddMeter(ScuttlebuttMetrics.MeterName)
                    .AddPrometheusHttpListener(o =>
                    {
                        o.Host = everywhere ? "localhost" : UrlHost(host);
                        o.Port = chosen;
                        if (everywhere)
                        {
                            // The exporter's own prefix names one host; every interface needs the wildcard prefix instead.
                            o.ConfigureHttpListener = static (options, listener) =>
                            {
                                listener.Prefixes.Clear();
                                listener.Prefixes.Add($"http://+:{options.Port}/metrics/");
                            };
                        }
                    })
                    .Build();
                return new MetricsEndpoint(provider, url);
            }
            catch (InvalidOperationException e) when (attempt < attempts)
            {
                _ = e; // the port was taken after it was found free: try another
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"could not serve metrics on {url}: {ErrorText.OfInnermost(e)}", e);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();

    private static int FreeTcpPort(string host)
    {
        var address = host is "*" or "+" ? IPAddress.Any : IPAddress.TryParse(host, out var ip) ? ip : IPAddress.Loopback;
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string UrlHost(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
