using System.Globalization;
using System.Text;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Hosting;

/// <summary>
/// Options for <see cref="AkkaHostingExtensions.WithScuttlebutt"/>. Every property is optional: a null one keeps the
/// value of the chosen preset in the embedded reference.conf. They render to a <c>scuttlebutt { }</c> HOCON block.
/// </summary>
public sealed class ScuttlebuttOptions
{
    /// <summary>local, lan or wan.</summary>
    public string? Preset { get; set; }

    /// <summary>This node's id.</summary>
    public string? NodeId { get; set; }

    /// <summary>The cluster name.</summary>
    public string? ClusterName { get; set; }

    /// <summary>The socket's bind address ("host:port").</summary>
    public string? Bind { get; set; }

    /// <summary>The address peers use to reach this node.</summary>
    public string? Advertise { get; set; }

    /// <summary>Seed addresses.</summary>
    public IList<string>? Seeds { get; set; }

    /// <summary>Key/values set before joining.</summary>
    public IDictionary<string, string>? InitialState { get; set; }

    /// <summary>Time between rounds.</summary>
    public TimeSpan? GossipInterval { get; set; }

    /// <summary>Largest datagram.</summary>
    public int? MaxDatagramBytes { get; set; }

    /// <summary>Failure-detector threshold.</summary>
    public double? FailureDetectorThreshold { get; set; }

    /// <summary>How long a down peer is kept before it is removed.</summary>
    public TimeSpan? DownExpiry { get; set; }

    /// <summary>off, migrate or required.</summary>
    public string? EncryptionMode { get; set; }

    /// <summary>Base64 encryption keys; the first encrypts.</summary>
    public IList<string>? EncryptionKeys { get; set; }

    /// <summary>Renders the options that are set as HOCON.</summary>
    public string ToHocon()
    {
        var sb = new StringBuilder();
        sb.AppendLine("scuttlebutt {");
        Line("preset", Preset);
        Line("node-id", NodeId);
        Line("cluster-name", ClusterName);
        Line("bind", Bind);
        Line("advertise", Advertise);
        if (Seeds is not null)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  seeds = [{string.Join(", ", Seeds.Select(Quote))}]");
        if (InitialState is not null)
        {
            sb.AppendLine("  initial-state {");
            foreach (var (key, value) in InitialState)
                sb.AppendLine(CultureInfo.InvariantCulture, $"    {Quote(key)} = {Quote(value)}");
            sb.AppendLine("  }");
        }

        if (GossipInterval is { } interval)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  gossip-interval = {(long)interval.TotalMilliseconds}ms");
        if (MaxDatagramBytes is { } max)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  max-datagram-bytes = {max}");
        if (FailureDetectorThreshold is { } threshold)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  failure-detector.threshold = {threshold.ToString("R", CultureInfo.InvariantCulture)}");
        if (DownExpiry is { } expiry)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  failure-detector.down-expiry = {(long)expiry.TotalMilliseconds}ms");
        Line("encryption.mode", EncryptionMode);
        if (EncryptionKeys is not null)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  encryption.keys = [{string.Join(", ", EncryptionKeys.Select(Quote))}]");
        sb.AppendLine("}");
        return sb.ToString();

        void Line(string key, string? value)
        {
            if (value is not null)
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {key} = {Quote(value)}");
        }
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    else
                        sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
