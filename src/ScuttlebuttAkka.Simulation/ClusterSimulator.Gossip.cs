using ScuttlebuttAkka.Protocol;
using ScuttlebuttAkka.Protocol.Liveness;
using ScuttlebuttAkka.Protocol.Runtime;
using ScuttlebuttAkka.Protocol.State;
using ScuttlebuttAkka.Protocol.Wire;

namespace ScuttlebuttAkka.Simulation;

// One node's behaviour, mirroring GossiperActor method by method (Round, SendDigestTo, OnDatagram, Process,
// OnTransition, EagerPush, StartLeaving/FinishLeaving); keep the two in step when either changes.
public sealed partial class ClusterSimulator
{
    private void Round(SimulatedNode node)
    {
        var now = NowMs;
        var state = node.State!;
        node.RoundNumber++;
        node.IntroductionsLeft = ClusterState.IntroductionsPerRound;
        node.Rounds++;
        Metrics.NodeRounds++;
        RoundChores.Run(state, node.RoundNumber, now, _settings.GossipInterval, _settings.TombstoneGracePeriod);

        if (node.LeaveRoundsLeft == 0)
        {
            FinishLeaving(node);
            return;
        }

        if (node.LeaveRoundsLeft > 0)
            node.LeaveRoundsLeft--;

        // Like the actor: peers are judged at the start of every round, before targets are chosen (the simulator's
        // rounds are never late, so the actor's StallGuard has nothing to do here).
        if (Options.FailureDetection)
            CheckPeers(node);
        CollectPeers(node);
        GossipTargets.Choose(node.Live, node.Down, node.Seeds, _settings.DownPeerGossipProbability, _settings.SeedGossipProbability, _random, node.Targets, node.SeedTargets);
        if (node.Live.Count == 0 && !node.SeedRequestPending)
            RequestSeeds(node);
        if (node.Targets.Count > 0 || node.SeedTargets.Count > 0)
            SendDigestTo(node, node.Targets, node.SeedTargets);

        Schedule(now + _intervalMs, new ScheduledEvent(EventKind.Round, node.Index, node.Incarnation, -1, null, null));
    }

    private void CollectPeers(SimulatedNode node)
    {
        if (!Options.FailureDetection)
            return; // Live is kept in step by AddPeer and leaves
        // The lists change only when a peer is added, removed or changes status, which is rare next to rounds:
        // rebuilding them every round would cost every node a pass over every peer, every round.
        if (node.PeersCollectedFor == node.Incarnation && !node.PeersChanged)
            return;
        node.PeersCollectedFor = node.Incarnation;
        node.PeersChanged = false;
        node.Live.Clear();
        node.Down.Clear();
        foreach (var (id, liveness) in node.Liveness)
        {
            if (liveness.Status == PeerStatus.Alive)
                node.Live.Add(id);
            else if (liveness.Status == PeerStatus.Down)
                node.Down.Add(id);
        }
    }

    private void RequestSeeds(SimulatedNode node)
    {
        // The actor asks its seed provider and hears back through its mailbox: after this round, at the same instant.
        node.SeedRequestPending = true;
        Schedule(NowMs, new ScheduledEvent(EventKind.SeedsResolved, node.Index, node.Incarnation, -1, null, null));
    }

    private void SeedsResolved(SimulatedNode node)
    {
        node.SeedRequestPending = false;
        node.Seeds = GossipTargets.UsableSeeds(_seedAddresses, node.Address);
        CollectPeers(node);
        if (node.Live.Count == 0 && node.Seeds.Length > 0)
        {
            node.SeedTargets.Clear();
            GossipTargets.ChooseSeeds(node.Seeds, _random, node.SeedTargets);
            node.Targets.Clear();
            SendDigestTo(node, node.Targets, node.SeedTargets);
        }
    }

    private void SendDigestTo(SimulatedNode node, List<string> peerIds, List<string> addresses)
    {
        var state = node.State!;
        var payload = node.Codec.Encode(new DigestRequest(state.BuildDigest(BudgetOf(node), _random)));
        foreach (var id in peerIds)
        {
            if (state.TryGetNode(id, out var peer))
                Send(node, peer.Address, payload);
        }

        foreach (var address in addresses)
            Send(node, address, payload);
    }

    private void Send(SimulatedNode node, string address, byte[] payload)
    {
        node.DatagramsSent++;
        node.BytesSent += payload.Length;
        Metrics.DatagramsSent++;
        Metrics.BytesSent += payload.Length;
        if (!_byAddress.TryGetValue(address, out var to))
        {
            Network.CountUndeliverable(node.Id, address);
            return;
        }

        Span<long> arrivals = stackalloc long[NetworkModel.MaxCopies];
        var copies = Network.Route(node.Id, to.Id, payload.Length, NowMs, _random, arrivals);
        for (var i = 0; i < copies; i++)
            Schedule(arrivals[i], new ScheduledEvent(EventKind.Delivery, to.Index, 0, node.Index, payload, null));
    }

    private void OnDatagram(SimulatedNode node, string from, byte[] payload)
    {
        node.DatagramsReceived++;
        node.BytesReceived += payload.Length;
        Metrics.DatagramsReceived++;
        var reason = node.Codec.TryDecode(payload, out var message);
        if (reason != DropReason.None)
        {
            node.DatagramsDropped++;
            Metrics.DatagramsDropped++;
            return;
        }

        var report = _report;
        report.Clear();
        var budget = ClusterState.ReplyBudget(node.KnownAddresses.Contains(from), payload.Length, BudgetOf(node), node.Codec.Overhead);
        var reply = node.State!.Receive(message!, budget, BudgetOf(node), NowMs, _random, report);
        if (reply is not null)
            Send(node, from, node.Codec.Encode(reply));
        if (message is PushMessage push && push.NextHop(report) is { } next)
            PushTo(node, next, except: from);
        Process(node, report);
        if (message is not PushMessage)
            Introduce(node, report, from);
        TrackArrivals(node, message!);
    }

    // Mirrors GossiperActor.Introduce: pass on at once the nodes the sender introduced first-hand.
    private void Introduce(SimulatedNode node, ApplyReport report, string from)
    {
        foreach (var change in report.Changes)
        {
            if (node.IntroductionsLeft == 0)
                return;
            var (id, address) = change switch
            {
                NodeDiscovered d => (d.NodeId, d.Address),
                NodeRestarted r => (r.NodeId, r.Address),
                _ => (null, null),
            };
            if (id is null || address != from)
                continue;
            node.IntroductionsLeft--;
            var delta = node.State!.BuildIntroductionDelta(id, BudgetOf(node) - 1, _random);
            if (!delta.IsEmpty)
                PushTo(node, new PushMessage(PushMessage.HopsFor(node.State.Nodes.Count), delta), except: from);
        }
    }

    private void Process(SimulatedNode node, ApplyReport report)
    {
        Metrics.Rejected += report.Rejected;
        var now = NowMs;
        foreach (var change in report.Changes)
        {
            switch (change)
            {
                case NodeDiscovered d:
                    CheckResurrection(node, d.NodeId, d.Generation);
                    AddPeer(node, d.NodeId, d.Generation, d.Address);
                    PeerEventSink?.Invoke(new PeerEvent.Joined(node.Id, d.NodeId, d.Generation, d.Address));
                    break;
                case KeyUpdated u when PeerEventSink is { } sink:
                    sink(new PeerEvent.Updated(node.Id, u.NodeId, u.Key, u.Value, u.Version));
                    break;
                case KeyDeleted k when PeerEventSink is { } sink:
                    sink(new PeerEvent.KeyDeleted(node.Id, k.NodeId, k.Key, k.Version));
                    break;
                case NodeRestarted r:
                    PeerEventSink?.Invoke(new PeerEvent.Restarted(node.Id, r.NodeId, r.OldGeneration, r.NewGeneration, r.Address));
                    node.KnownAddresses.Add(r.Address);
                    if (!Options.FailureDetection)
                    {
                        AddPeer(node, r.NodeId, r.NewGeneration, r.Address);
                        break;
                    }

                    if (node.Liveness.TryGetValue(r.NodeId, out var restarted))
                    {
                        if (r.NewGeneration > restarted.Generation)
                        {
                            restarted.OnRestarted(r.NewGeneration, now);
                            node.PeersChanged = true;
                        }
                    }
                    else
                    {
                        AddPeer(node, r.NodeId, r.NewGeneration, r.Address);
                    }

                    break;
                case NodeLeft l when !Options.FailureDetection:
                    if (node.KnownPeers.Remove(l.NodeId))
                        node.Live.Remove(l.NodeId);
                    break;
                case NodeLeft l:
                    if (node.Liveness.TryGetValue(l.NodeId, out var leaving))
                        OnTransition(node, leaving.NodeId, leaving.Generation, leaving.OnLeft(now));
                    break;
            }
        }

        if (!Options.FailureDetection)
            return;
        foreach (var id in report.HeartbeatsAdvanced)
        {
            if (node.Liveness.TryGetValue(id, out var liveness))
                OnTransition(node, id, liveness.Generation, liveness.OnHeartbeat(now));
        }

        if (report.SuspicionsChanged)
            CheckPeers(node);
    }

    private void AddPeer(SimulatedNode node, string id, long generation, string address)
    {
        if (!Options.FailureDetection)
        {
            if (node.KnownPeers.Add(id))
                node.Live.Add(id);
            node.KnownAddresses.Add(address);
            return;
        }

        if (node.Liveness.ContainsKey(id))
            return;
        node.Liveness[id] = new PeerLiveness(id, generation, _settings.Liveness, NowMs);
        node.KnownAddresses.Add(address);
        node.PeersChanged = true;
    }

    private void CheckPeers(SimulatedNode node)
    {
        var now = NowMs;
        var peers = node.CheckScratch;
        peers.Clear();
        peers.AddRange(node.Liveness.Values);
        var corroborate = _settings.Liveness.Detector.Corroborations > 0 && node.State!.DigestsComplete;
        foreach (var liveness in peers)
        {
            var others = corroborate && liveness.Status == PeerStatus.Alive && liveness.IsSuspect(now)
                ? node.State!.CountSuspicions(liveness.NodeId, liveness.Generation, id => node.Liveness.TryGetValue(id, out var o) && o.Status == PeerStatus.Alive)
                : 0;
            var transition = liveness.Check(now, others);
            if (transition != LivenessTransition.None)
                OnTransition(node, liveness.NodeId, liveness.Generation, transition);
        }

        if (_settings.Liveness.Detector.Corroborations > 0)
            SaySuspicions(node, now, corroborate);
    }

    // Mirrors GossiperActor.SaySuspicions.
    private void SaySuspicions(SimulatedNode node, long now, bool aloud)
    {
        var before = node.State!.Self.MaxVersion;
        if (node.Suspicions.Sync(node.State, node.Liveness, now, aloud))
            EagerPush(node, before);
    }

    private void OnTransition(SimulatedNode node, string peerId, long generation, LivenessTransition transition)
    {
        if (transition == LivenessTransition.None)
            return;
        node.PeersChanged = true;
        var state = node.State!;
        var held = state.TryGetNode(peerId, out var peer);
        if (!held || peer.Generation != generation)
        {
            if (transition == LivenessTransition.Removed)
            {
                node.Liveness.Remove(peerId);
                if (held)
                    AddPeer(node, peerId, peer.Generation, peer.Address);
            }

            return;
        }

        if (transition is LivenessTransition.Down or LivenessTransition.Up)
            state.SetDown(peerId, transition == LivenessTransition.Down);
        if (transition == LivenessTransition.Removed)
        {
            state.Remove(peerId, NowMs + (long)_settings.RemovedPeerMemory.TotalMilliseconds);
            node.Liveness.Remove(peerId);
            node.Removed[peerId] = Math.Max(generation, node.Removed.GetValueOrDefault(peerId));
        }

        if (PeerEventSink is { } sink)
        {
            sink(transition switch
            {
                LivenessTransition.Down => new PeerEvent.Down(node.Id, peerId, node.Liveness.TryGetValue(peerId, out var l) ? l.Phi(NowMs) : double.PositiveInfinity),
                LivenessTransition.Up => new PeerEvent.Up(node.Id, peerId),
                LivenessTransition.Left => new PeerEvent.Left(node.Id, peerId, generation),
                _ => new PeerEvent.Removed(node.Id, peerId),
            });
        }

        var subject = _byId.GetValueOrDefault(peerId);
        var running = subject is { IsRunning: true } && subject.Generation == generation;
        var cut = Network.IsPartitioned && (Network.IsBlocked(node.Id, peerId) || Network.IsBlocked(peerId, node.Id));
        Metrics.Add(new LivenessEvent(NowMs, node.Id, peerId, generation, transition, running, cut));
        _trace.Add(0x7E5);
        _trace.Add(peerId);
        _trace.Add((long)transition);
        if (_journal is not null)
            Note($"{node} sees {peerId}@{generation} {transition}{(running && transition == LivenessTransition.Down ? (cut ? " (link cut)" : " (FALSE POSITIVE)") : "")}");
    }

    private void CheckResurrection(SimulatedNode node, string peerId, long generation)
    {
        if (!node.Removed.TryGetValue(peerId, out var removed) || generation > removed)
            return;
        var subject = _byId.GetValueOrDefault(peerId);
        if (subject is { IsRunning: true } && subject.Generation == generation)
            return; // removed while cut off, but alive all along: coming back is right
        var text = $"{node.Id} learned of {peerId}@{generation} again at {NowMs} ms after removing generation {removed}";
        Metrics.AddResurrection(text);
        Note(text);
    }

    private void TrackArrivals(SimulatedNode node, GossipMessage message)
    {
        if (_tracker.Outstanding == 0)
            return;
        var delta = message switch
        {
            DeltaMessage d => d.Delta,
            DigestResponse r => r.Delta,
            PushMessage p => p.Delta,
            _ => null,
        };
        if (delta is null)
            return;
        foreach (var nodeDelta in delta.Nodes)
            _tracker.Observe(node, nodeDelta.NodeId, NowMs, _running);
    }

    private void EagerPush(SimulatedNode node, long fromVersion)
    {
        if (!_settings.EagerPush || _settings.EagerPushFanout == 0)
            return;
        CollectPeers(node);
        if (node.Live.Count == 0)
            return;
        var state = node.State!;
        var delta = state.BuildOwnDelta(fromVersion, BudgetOf(node) - 1, _random);
        if (delta.IsEmpty)
            return;
        PushTo(node, new PushMessage(PushMessage.HopsFor(state.Nodes.Count), delta), except: null);
    }

    // Mirrors GossiperActor.PushTo: fanout random live peers, never back to the one the push came from.
    private void PushTo(SimulatedNode node, PushMessage push, string? except)
    {
        if (!_settings.EagerPush || _settings.EagerPushFanout == 0)
            return;
        CollectPeers(node);
        var state = node.State!;
        var payload = node.Codec.Encode(push);
        GossipTargets.ChooseEagerPush(node.Live, _settings.EagerPushFanout + 1, _random, node.PushTargets);
        var sent = 0;
        foreach (var id in node.PushTargets)
        {
            if (sent == _settings.EagerPushFanout)
                break;
            if (state.TryGetNode(id, out var peer) && peer.Address != except)
            {
                Send(node, peer.Address, payload);
                sent++;
            }
        }
    }

    private void StartLeaving(SimulatedNode node)
    {
        if (node.LeaveRoundsLeft >= 0)
            return;
        var state = node.State!;
        var before = state.Self.MaxVersion;
        state.MarkLeaving();
        node.LeaveRoundsLeft = _settings.LeaveRounds;
        Note($"{node} leaves");
        var payload = node.Codec.Encode(new LeaveMessage(node.Id, node.Generation));
        CollectPeers(node);
        foreach (var id in node.Live)
        {
            if (state.TryGetNode(id, out var peer))
                Send(node, peer.Address, payload);
        }

        EagerPush(node, before);
        if (node.LeaveRoundsLeft == 0)
            FinishLeaving(node);
    }

    private void FinishLeaving(SimulatedNode node)
    {
        Note($"{node} has left");
        Stop(node, left: true);
    }
}
