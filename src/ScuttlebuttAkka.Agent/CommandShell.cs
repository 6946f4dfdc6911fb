using System.Globalization;

namespace ScuttlebuttAkka.Agent;

/// <summary>
/// The commands an operator (or a script) types on standard input, one per line. Each reply is one output item, or
/// one item per row followed by a summary; a mistake gets an "error" reply on standard output, since whoever sent the
/// command is waiting for its answer there.
/// </summary>
internal sealed class CommandShell
{
    /// <summary>The help text: one command per line.</summary>
    public static readonly IReadOnlyList<string> HelpLines = new[]
    {
        "members, m        the member table (status, address, generation, version, keys)",
        "get NODE KEY      one key of a node, as this node knows it",
        "keys [NODE]       every key of a node (default: this node)",
        "set KEY=VALUE     set one of this node's keys",
        "delete KEY        delete one of this node's keys",
        "stats             this node's traffic counters",
        "leave, quit, q    leave the cluster gracefully and exit",
        "help              this text",
    };

    private readonly ScuttlebuttNode _node;
    private readonly AgentOutput _output;
    private readonly Action<string> _stop;

    /// <summary>Creates the shell of <paramref name="node"/>; <paramref name="stop"/> is called with a reason to leave.</summary>
    public CommandShell(ScuttlebuttNode node, AgentOutput output, Action<string> stop)
    {
        _node = node;
        _output = output;
        _stop = stop;
    }

    /// <summary>Runs one command line.</summary>
    public async Task ExecuteAsync(string line, CancellationToken cancellationToken)
    {
        var parts = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
            return;
        var command = parts[0].ToLowerInvariant();
        var argument = parts.Length > 1 ? parts[1] : "";
        try
        {
            switch (command)
            {
                case "members" or "m" or "table":
                    MemberTable.Write(_node.View, _output);
                    break;
                case "get":
                    Get(command, argument);
                    break;
                case "keys":
                    Keys(command, argument);
                    break;
                case "set":
                    await SetAsync(command, argument, cancellationToken).ConfigureAwait(false);
                    break;
                case "delete" or "del":
                    Delete(command, argument);
                    break;
                case "stats":
                    Stats();
                    break;
                case "leave" or "quit" or "exit" or "q":
                    _stop("leave command");
                    break;
                case "help" or "?" or "h":
                    Help();
                    break;
                default:
                    Error(command, $"unknown command '{parts[0]}'; type 'help'");
                    break;
            }
        }
        catch (ArgumentException e)
        {
            Error(command, ErrorText.Of(e));
        }
        catch (InvalidOperationException e)
        {
            // The node refused the write (a full key set, say) or has stopped.
            Error(command, ErrorText.Of(e));
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            Error(command, "the node did not answer in time");
        }
    }

    private void Get(string command, string argument)
    {
        var args = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (args.Length != 2)
        {
            Error(command, "usage: get NODE KEY");
            return;
        }

        var (peerId, key) = (args[0], args[1]);
        if (!_node.View.Peers.TryGetValue(peerId, out var peer))
        {
            Error(command, $"unknown node '{peerId}'");
            return;
        }

        var found = peer.Values.TryGetValue(key, out var value);
        var text = found
            ? string.Create(CultureInfo.InvariantCulture, $"get {peerId} {key}={value.Value} version={value.Version}")
            : $"get {peerId} {key} (not set)";
        _output.Emit("get", text, w =>
        {
            w.WriteString("peer", peerId);
            w.WriteString("key", key);
            w.WriteBoolean("found", found);
            if (found)
            {
                w.WriteString("value", value.Value);
                w.WriteNumber("version", value.Version);
            }
            else
            {
                w.WriteNull("value");
                w.WriteNull("version");
            }
        });
    }

    private void Keys(string command, string argument)
    {
        var peerId = argument.Length == 0 ? _node.NodeId : argument;
        if (!_node.View.Peers.TryGetValue(peerId, out var peer))
        {
            Error(command, $"unknown node '{peerId}'");
            return;
        }

        var count = 0;
        foreach (var (key, value) in MemberTable.SortedKeys(peer))
        {
            count++;
            _output.Emit("key", string.Create(CultureInfo.InvariantCulture, $"key {peerId} {key}={value.Value} version={value.Version}"), w =>
            {
                w.WriteString("peer", peerId);
                w.WriteString("key", key);
                w.WriteString("value", value.Value);
                w.WriteNumber("version", value.Version);
            });
        }

        _output.Emit("keys", string.Create(CultureInfo.InvariantCulture, $"keys {peerId}: {count}"), w =>
        {
            w.WriteString("peer", peerId);
            w.WriteNumber("count", count);
        });
    }

    private async Task SetAsync(string command, string argument, CancellationToken cancellationToken)
    {
        var eq = argument.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            Error(command, "usage: set KEY=VALUE");
            return;
        }

        var (key, value) = (argument[..eq], argument[(eq + 1)..]);
        var version = await _node.UpdateLocalAsync(key, value, cancellationToken: cancellationToken).ConfigureAwait(false);
        _output.Emit("set", string.Create(CultureInfo.InvariantCulture, $"set {key}={value} version={version}"), w =>
        {
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteNumber("version", version);
        });
    }

    private void Delete(string command, string key)
    {
        if (key.Length == 0)
        {
            Error(command, "usage: delete KEY");
            return;
        }

        _node.Delete(key);
        _output.Emit("delete", $"delete {key}", w => w.WriteString("key", key));
    }

    private void Stats()
    {
        var s = _node.Statistics;
        var dropped = s.DroppedByReason();
        var rejected = s.RejectedByReason();
        var text = string.Create(CultureInfo.InvariantCulture,
            $"stats rounds={s.Rounds} datagrams_in={s.DatagramsIn} datagrams_out={s.DatagramsOut} bytes_in={s.BytesIn} bytes_out={s.BytesOut} rejected={s.RejectedNodeDeltas} dropped={s.DroppedTotal}")
            + string.Concat(dropped.Select(kv => string.Create(CultureInfo.InvariantCulture, $" dropped.{kv.Key}={kv.Value}")))
            + string.Concat(rejected.Select(kv => string.Create(CultureInfo.InvariantCulture, $" rejected.{kv.Key}={kv.Value}")))
            + string.Create(CultureInfo.InvariantCulture,
                $" send_errors={s.SendErrors} receive_errors={s.ReceiveErrors} dropped_inbound_overflow={s.InboundOverflowDrops} dropped_oversized={s.OversizedDrops}");
        _output.Emit("stats", text, w =>
        {
            w.WriteNumber("rounds", s.Rounds);
            w.WriteNumber("datagrams_in", s.DatagramsIn);
            w.WriteNumber("datagrams_out", s.DatagramsOut);
            w.WriteNumber("bytes_in", s.BytesIn);
            w.WriteNumber("bytes_out", s.BytesOut);
            w.WriteNumber("rejected", s.RejectedNodeDeltas);
            w.WriteNumber("dropped", s.DroppedTotal);
            w.WriteStartObject("dropped_by_reason");
            foreach (var (reason, n) in dropped)
                w.WriteNumber(reason.ToString(), n);
            w.WriteEndObject();
            w.WriteStartObject("rejected_by_reason");
            foreach (var (reason, n) in rejected)
                w.WriteNumber(reason.ToString(), n);
            w.WriteEndObject();
            w.WriteNumber("send_errors", s.SendErrors);
            w.WriteNumber("receive_errors", s.ReceiveErrors);
            w.WriteNumber("dropped_inbound_overflow", s.InboundOverflowDrops);
            w.WriteNumber("dropped_oversized", s.OversizedDrops);
        });
    }

    private void Help()
    {
        if (_output.Format == OutputFormat.Json)
        {
            _output.Emit("help", "", w =>
            {
                w.WriteStartArray("commands");
                foreach (var line in HelpLines)
                    w.WriteStringValue(line);
                w.WriteEndArray();
            });
            return;
        }

        foreach (var line in HelpLines)
            _output.Emit("help", line);
    }

    private void Error(string command, string message) =>
        _output.Emit("error", $"error: {message}", w =>
        {
            w.WriteString("command", command);
            w.WriteString("message", message);
        });
}
