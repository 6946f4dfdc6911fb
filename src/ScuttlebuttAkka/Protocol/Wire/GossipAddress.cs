using System.Globalization;
using System.Net;

namespace ScuttlebuttAkka.Protocol.Wire;

/// <summary>Parses and formats gossip addresses of the form "host:port" (IPv6 literals in brackets).</summary>
internal static class GossipAddress
{
    /// <summary>Splits <paramref name="address"/> into host and port; false when it is not "host:port".</summary>
    public static bool TryParse(string? address, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrEmpty(address))
            return false;
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1)
            return false;
        var hostPart = address[..colon];
        if (hostPart.StartsWith('['))
        {
            if (!hostPart.EndsWith(']') || hostPart.Length < 3)
                return false;
            hostPart = hostPart[1..^1];
            if (!IPAddress.TryParse(hostPart, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                return false;
        }
        else if (hostPart.Contains(':'))
        {
            return false; // an IPv6 literal must be bracketed so the port is unambiguous
        }

        if (!int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            return false;
        if (hostPart.Any(char.IsWhiteSpace))
            return false;
        host = hostPart;
        return true;
    }

    /// <summary>Formats an endpoint as a gossip address.</summary>
    public static string Format(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Parses an address whose host is an IP literal into an endpoint; false for host names or bad input.</summary>
    public static bool TryParseEndPoint(string? address, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (!TryParse(address, out var host, out var port) || !IPAddress.TryParse(host, out var ip))
            return false;
        endPoint = new IPEndPoint(ip, port);
        return true;
    }
}
