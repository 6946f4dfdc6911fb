namespace ScuttlebuttAkka.Protocol.Liveness;

/// <summary>
/// One peer's failure detector and lifecycle as one node sees it: Alive -> Down (phi above the threshold) -> Alive
/// again on the next heartbeat, or -> removed after <see cref="LivenessSettings.DownExpiry"/>; any status -> Left on a
/// graceful leave -> removed after <see cref="LivenessSettings.LeftExpiry"/>. Pure and deterministic: every time is
/// passed in, in milliseconds; each call returns what it changed.
/// </summary>
internal sealed class PeerLiveness
{
    private readonly long _downExpiryMs;
    private readonly long _leftExpiryMs;
    private PhiAccrualFailureDetector _detector;

    // When OnHeartbeat(now, minGap) last recorded an arrival; kept across restarts, as the gap is about the messages.
    private long? _lastCoalescedMs;

    /// <summary>Starts tracking an alive peer, counting this moment as its first heartbeat arrival.</summary>
    public PeerLiveness(string nodeId, long generation, LivenessSettings settings, long nowMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        NodeId = nodeId;
        Generation = generation;
        Settings = settings;
        _downExpiryMs = (long)settings.DownExpiry.TotalMilliseconds;
        _leftExpiryMs = (long)settings.LeftExpiry.TotalMilliseconds;
        _detector = NewDetector(nowMs);
        StatusSinceMs = nowMs;
    }

    /// <summary>The peer's node id.</summary>
    public string NodeId { get; }

    /// <summary>The incarnation being tracked.</summary>
    public long Generation { get; private set; }

    /// <summary>The settings in use.</summary>
    public LivenessSettings Settings { get; }

    /// <summary>The current status.</summary>
    public PeerStatus Status { get; private set; } = PeerStatus.Alive;

    /// <summary>When <see cref="Status"/> last changed (or tracking or the incarnation began).</summary>
    public long StatusSinceMs { get; private set; }

    /// <summary>True once <see cref="LivenessTransition.Removed"/> was reported; the peer is to be forgotten, and every call returns <see cref="LivenessTransition.None"/> until a restart.</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>When the last heartbeat of this incarnation was counted (creation or restart counts as one; heartbeats after a leave do not).</summary>
    public long LastHeartbeatMs => _detector.LastHeartbeatMs ?? StatusSinceMs;

    /// <summary>The failure detector's suspicion at <paramref name="nowMs"/>.</summary>
    public double Phi(long nowMs) => _detector.Phi(nowMs);

    /// <summary>Records a heartbeat arrival; a down peer comes back <see cref="LivenessTransition.Up"/>, a left one stays left.</summary>
    public LivenessTransition OnHeartbeat(long nowMs)
    {
        if (IsRemoved || Status == PeerStatus.Left)
            return LivenessTransition.None;
        _detector.Heartbeat(nowMs);
        if (Status == PeerStatus.Alive)
            return LivenessTransition.None;
        SetStatus(PeerStatus.Alive, nowMs);
        return LivenessTransition.Up;
    }

    /// <summary>
    /// Records a heartbeat arrival as <see cref="OnHeartbeat(long)"/> does, unless an arrival was recorded through this
    /// overload less than <paramref name="minGapMs"/> before: news of one heartbeat often comes twice in a round (in a
    /// digest and in a reply), and the detector's samples should be about the peer, not about how gossip reached us.
    /// </summary>
    public LivenessTransition OnHeartbeat(long nowMs, long minGapMs)
    {
        if (_lastCoalescedMs is { } last && nowMs - last < minGapMs)
            return LivenessTransition.None;
        _lastCoalescedMs = nowMs;
        return OnHeartbeat(nowMs);
    }

    /// <summary>
    /// Whether this node suspects the peer at <paramref name="nowMs"/>: down, or alive with phi at least the
    /// suspicion threshold (see <see cref="FailureDetectorSettings.SuspicionThreshold"/>).
    /// </summary>
    public bool IsSuspect(long nowMs) =>
        !IsRemoved && (Status == PeerStatus.Down || (Status == PeerStatus.Alive && _detector.IsSuspicious(nowMs)));

    /// <summary>
    /// Judges the peer at <paramref name="nowMs"/>: an alive peer whose phi is above the threshold goes
    /// <see cref="LivenessTransition.Down"/>, and so does one this node suspects when at least
    /// <see cref="FailureDetectorSettings.Corroborations"/> other live nodes suspect it too (<paramref name="corroborations"/>,
    /// counted by the caller); a peer down for the down expiry or left for the left expiry is
    /// <see cref="LivenessTransition.Removed"/>. At most one transition per call.
    /// </summary>
    public LivenessTransition Check(long nowMs, int corroborations = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(corroborations);
        if (IsRemoved)
            return LivenessTransition.None;
        switch (Status)
        {
            case PeerStatus.Alive when !_detector.IsAvailable(nowMs) || IsCorroborated(nowMs, corroborations):
                SetStatus(PeerStatus.Down, nowMs);
                return LivenessTransition.Down;
            case PeerStatus.Down when HasLasted(_downExpiryMs, nowMs):
            case PeerStatus.Left when HasLasted(_leftExpiryMs, nowMs):
                IsRemoved = true;
                return LivenessTransition.Removed;
            default:
                return LivenessTransition.None;
        }
    }

    /// <summary>Marks the peer as having left gracefully (from alive or down); reported once.</summary>
    public LivenessTransition OnLeft(long nowMs)
    {
        if (IsRemoved || Status == PeerStatus.Left)
            return LivenessTransition.None;
        SetStatus(PeerStatus.Left, nowMs);
        return LivenessTransition.Left;
    }

    /// <summary>
    /// Starts tracking a new incarnation of the peer: a fresh detector whose first heartbeat is now, status alive, and
    /// the removal flag cleared, since a newer generation is a peer the cluster has not judged yet.
    /// </summary>
    public void OnRestarted(long newGeneration, long nowMs)
    {
        if (newGeneration <= Generation)
            throw new ArgumentOutOfRangeException(nameof(newGeneration), newGeneration, $"A restarted peer must have a newer generation than {Generation}.");
        Generation = newGeneration;
        _detector = NewDetector(nowMs);
        IsRemoved = false;
        SetStatus(PeerStatus.Alive, nowMs);
    }

    private bool IsCorroborated(long nowMs, int corroborations)
    {
        var needed = Settings.Detector.Corroborations;
        return needed > 0 && corroborations >= needed && _detector.IsSuspicious(nowMs);
    }

    private PhiAccrualFailureDetector NewDetector(long nowMs)
    {
        var detector = new PhiAccrualFailureDetector(Settings.Detector);
        detector.Heartbeat(nowMs);
        return detector;
    }

    private void SetStatus(PeerStatus status, long nowMs)
    {
        Status = status;
        StatusSinceMs = nowMs;
    }

    private bool HasLasted(long expiryMs, long nowMs) => nowMs >= StatusSinceMs && unchecked((ulong)(nowMs - StatusSinceMs)) >= (ulong)expiryMs;
}
