using System.Net;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Runtime;

/// <summary>
/// Where one node's peers and seeds are reached: each known node's endpoint (kept on its copy, so a view of thousands
/// of nodes costs no second table), host names resolved by the driver, and the set of endpoints that belong to known
/// nodes, which earns a datagram's source the full reply budget (docs/security.md, "No amplification").
/// </summary>
internal sealed class AddressBook
{
    private readonly Func<string, IPEndPoint?> _parse;
    private readonly Dictionary<string, EndPoint> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);
    private readonly HashSet<EndPoint> _known = new();

    public AddressBook(Func<string, IPEndPoint?>? parse) =>
        _parse = parse ?? (address => GossipAddress.TryParseEndPoint(address, out var ep) ? ep : null);

    /// <summary>Whether <paramref name="source"/> is where a known node lives.</summary>
    public bool IsKnown(EndPoint source) => _known.Contains(source);

    /// <summary>
    /// Finds where <paramref name="node"/> lives and counts its endpoint as known (a host name is resolved later). A
    /// restarted node may have moved: its old endpoint stops being known unless another of <paramref name="nodes"/> is there.
    /// </summary>
    public void Learn(NodeState node, RuntimeOutput output, IReadOnlyList<NodeState> nodes)
    {
        var previous = node.EndPoint;
        node.EndPoint = Find(node.Address, output);
        if (node.EndPoint is not null)
            _known.Add(node.EndPoint);
        if (previous is not null && !previous.Equals(node.EndPoint) && !LivesThere(previous, nodes))
            _known.Remove(previous);
    }

    /// <summary>The endpoint of <paramref name="node"/>, looked up again when a resolution was pending; null while it is.</summary>
    public EndPoint? EndPointOf(NodeState node, RuntimeOutput output)
    {
        if (node.EndPoint is null)
        {
            node.EndPoint = Find(node.Address, output);
            if (node.EndPoint is not null)
                _known.Add(node.EndPoint);
        }

        return node.EndPoint;
    }

    /// <summary>The endpoint of an address (a seed's, say); null while a host name is being resolved.</summary>
    public EndPoint? Find(string address, RuntimeOutput output)
    {
        if (_names.TryGetValue(address, out var named))
            return named;
        if (_parse(address) is { } literal)
            return literal;
        if (GossipAddress.TryParse(address, out _, out _) && _resolving.Add(address))
            output.AddressesToResolve.Add(address);
        return null;
    }

    /// <summary>The driver resolved <paramref name="address"/> (null: it could not); every node living there becomes reachable.</summary>
    public void Resolved(string address, EndPoint? endPoint, IReadOnlyList<NodeState> nodes)
    {
        _resolving.Remove(address);
        if (endPoint is null)
            return;
        _names[address] = endPoint;
        foreach (var n in nodes)
        {
            if (n.Address == address)
            {
                n.EndPoint = endPoint;
                _known.Add(endPoint);
            }
        }
    }

    /// <summary>
    /// <paramref name="removed"/> left the view: its endpoint stops being known (full-size replies) unless another node
    /// still lives there; otherwise nodes invented one after another would grow these sets without bound.
    /// </summary>
    public void Forget(NodeState removed, IReadOnlyList<NodeState> remaining)
    {
        foreach (var n in remaining)
        {
            if (n != removed && n.Address == removed.Address)
                return;
        }

        _names.Remove(removed.Address);
        if (removed.EndPoint is { } endPoint)
            _known.Remove(endPoint);
    }

    private static bool LivesThere(EndPoint endPoint, IReadOnlyList<NodeState> nodes)
    {
        foreach (var n in nodes)
        {
            if (endPoint.Equals(n.EndPoint))
                return true;
        }

        return false;
    }
}
