using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using ScuttlebuttAkka.Actors;

namespace ScuttlebuttAkka.Tests.Actors;

public sealed class InboxSinkTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private sealed record Done;

    private sealed record Failed(string Message);

    [Fact]
    public void It_tells_at_most_a_window_ahead_and_goes_on_as_the_actor_catches_up()
    {
        var window = new InboundWindow(3);
        var probe = CreateTestProbe();
        Source.From(Enumerable.Range(1, 10))
            .RunWith(Sink.FromGraph(new InboxSink<int>(probe.Ref, window, new Done(), e => new Failed(e.Message))), Sys.Materializer());

        Assert.Equal(new[] { 1, 2, 3 }, probe.ReceiveN(3, Wait).Cast<int>());
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the window is full until the actor reports progress
        Assert.Equal(3, window.InFlight);

        var received = new List<int>();
        window.Processed();
        received.Add(probe.ExpectMsg<int>(Wait));
        // From here the actor processes each element as it comes; the rest arrive in order, then the completion.
        while (received.Count < 7)
        {
            window.Processed();
            received.Add(probe.ExpectMsg<int>(Wait));
        }

        Assert.Equal(Enumerable.Range(4, 7), received);
        probe.ExpectMsg<Done>(Wait);
    }

    [Fact]
    public void A_failed_upstream_is_told_to_the_actor()
    {
        var probe = CreateTestProbe();
        Source.Failed<int>(new InvalidOperationException("boom"))
            .RunWith(Sink.FromGraph(new InboxSink<int>(probe.Ref, new InboundWindow(4), new Done(), e => new Failed(e.Message))), Sys.Materializer());
        Assert.Equal("boom", probe.ExpectMsg<Failed>(Wait).Message);
    }
}
