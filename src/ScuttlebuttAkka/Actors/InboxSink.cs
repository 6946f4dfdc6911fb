using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ScuttlebuttAkka.Actors;

/// <summary>
/// A sink that tells every element to an actor with no acknowledgement message per element: up to <see
/// cref="InboundWindow.Size"/> elements may wait in the actor's mailbox, the actor reports each one done through the
/// <see cref="InboundWindow"/> it shares with the sink, and only when the window is full does the sink stop pulling
/// (backpressure: the UDP stage then queues and, past its own bound, drops and counts). Completion and failure are told
/// to the actor as messages. Compared with <c>Sink.ActorRefWithAck</c> this saves one message to the stream per element.
/// </summary>
internal sealed class InboxSink<T> : GraphStage<SinkShape<T>>
{
    private readonly IActorRef _actor;
    private readonly InboundWindow _window;
    private readonly object _onComplete;
    private readonly Func<Exception, object> _onFailure;

    /// <summary>Creates a sink into <paramref name="actor"/> through <paramref name="window"/>.</summary>
    public InboxSink(IActorRef actor, InboundWindow window, object onComplete, Func<Exception, object> onFailure)
    {
        _actor = actor;
        _window = window;
        _onComplete = onComplete;
        _onFailure = onFailure;
        Shape = new SinkShape<T>(In);
    }

    /// <summary>The elements to deliver.</summary>
    public Inlet<T> In { get; } = new("inbox.in");

    /// <inheritdoc />
    public override SinkShape<T> Shape { get; }

    /// <inheritdoc />
    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("inbox");

    /// <inheritdoc />
    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly InboxSink<T> _stage;

        public Logic(InboxSink<T> stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, this);
        }

        public override void PreStart()
        {
            _stage._window.Attach(GetAsyncCallback(Resume));
            Pull(_stage.In);
        }

        public override void OnPush()
        {
            _stage._actor.Tell(Grab(_stage.In), ActorRefs.NoSender);
            if (_stage._window.TakeAndHasRoom())
                Pull(_stage.In);
        }

        public override void OnUpstreamFinish()
        {
            _stage._actor.Tell(_stage._onComplete, ActorRefs.NoSender);
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception e)
        {
            _stage._actor.Tell(_stage._onFailure(e), ActorRefs.NoSender);
            FailStage(e);
        }

        private void Resume()
        {
            if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In))
                Pull(_stage.In);
        }
    }
}
