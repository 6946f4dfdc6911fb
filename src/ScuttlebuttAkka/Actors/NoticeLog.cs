using Akka.Event;
using ScuttlebuttAkka.Protocol.Runtime;

namespace ScuttlebuttAkka.Actors;

/// <summary>Writes the runtime's notices to Akka's log at their level.</summary>
internal static class NoticeLog
{
    /// <summary>Logs <paramref name="notice"/> on <paramref name="log"/>.</summary>
    public static void Write(this ILoggingAdapter log, RuntimeNotice notice)
    {
        switch (notice.Level)
        {
            case NoticeLevel.Debug:
                log.Debug("{0}", notice.Message);
                break;
            case NoticeLevel.Info:
                log.Info("{0}", notice.Message);
                break;
            case NoticeLevel.Warning:
                log.Warning("{0}", notice.Message);
                break;
            default:
                log.Error(notice.Exception, "{0}", notice.Message);
                break;
        }
    }
}
