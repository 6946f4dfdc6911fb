using System.Net;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Protocol.Runtime;

// What this node sends: digests to its round's targets, eager pushes of fresh writes and their forwards.
internal sealed partial class NodeRuntime
{
    private void EagerPush(long fromVersion)
    {
        if (!_settings.EagerPush || _settings.EagerPushFanout == 0 || _roster.LiveCount == 0)
            return;
        var delta = State.BuildOwnDelta(fromVersion, MessageBudget - 1, _random);
        if (!delta.IsEmpty)
            PushTo(new PushMessage(PushMessage.HopsFor(State.Nodes.Count), delta), except: null);
    }

    /// <summary>Sends a push to <see cref="ScuttlebuttSettings.EagerPushFanout"/> random live peers other than <paramref name="except"/>.</summary>
    private void PushTo(PushMessage push, EndPoint? except)
    {
        var fanout = _settings.EagerPushFanout;
        if (!_settings.EagerPush || fanout == 0)
            return;
        _roster.Collect();
        // One more than the fanout, so that skipping the sender still leaves the fanout.
        GossipTargets.ChooseEagerPush(_roster.Live, fanout + 1, _random, _pushTargets);
        byte[]? payload = null;
        var sent = 0;
        foreach (var id in _pushTargets)
        {
            if (sent == fanout)
                break;
            if (!State.TryGetNode(id, out var node) || (except is not null && except.Equals(node.EndPoint)))
                continue;
            SendTo(node, payload ??= _codec.Encode(push));
            sent++;
        }
    }

    private void SendDigest(List<string> peerIds, List<string> addresses)
    {
        var payload = _codec.Encode(new DigestRequest(State.BuildDigest(MessageBudget, _random)));
        foreach (var id in peerIds)
        {
            if (State.TryGetNode(id, out var node))
                SendTo(node, payload);
        }

        foreach (var address in addresses)
        {
            if (_addresses.Find(address, Output) is { } endPoint)
                Send(endPoint, payload);
        }
    }

    // A node whose host name is still being resolved misses this send; later ones use the resolved address.
    private void SendTo(NodeState node, byte[] payload)
    {
        if (_addresses.EndPointOf(node, Output) is { } endPoint)
            Send(endPoint, payload);
    }

    private void Send(EndPoint to, byte[] payload)
    {
        _telemetry.DatagramSent(payload.Length);
        Output.Datagrams.Add(new OutgoingDatagram(to, payload));
    }
}
