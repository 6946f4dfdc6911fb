using Spectre.Console;

namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>
/// Progress bars on an interactive terminal (Spectre.Console), plain lines otherwise: when the output is redirected
/// Spectre draws nothing live, so every stage also announces itself and its result as a line.
/// </summary>
internal static class ConsoleProgress
{
    /// <summary>Runs <paramref name="body"/> with a progress display suited to the console.</summary>
    public static async Task<T> RunAsync<T>(Func<IBenchProgress, Task<T>> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return await body(new PlainProgress()).ConfigureAwait(false);
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx => result = await body(new SpectreProgress(ctx)).ConfigureAwait(false))
            .ConfigureAwait(false);
        return result;
    }

    private sealed class PlainProgress : IBenchProgress
    {
        public IBenchStage Stage(string name, int steps)
        {
            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {name} ...");
            return new PlainStage();
        }

        public void Line(string text) => Console.WriteLine(text);
    }

    private sealed class PlainStage : IBenchStage
    {
        public void Step()
        {
        }

        public void Complete()
        {
        }
    }

    private sealed class SpectreProgress(ProgressContext context) : IBenchProgress
    {
        public IBenchStage Stage(string name, int steps) => new SpectreStage(context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, steps)));

        public void Line(string text) => AnsiConsole.WriteLine(text);
    }

    private sealed class SpectreStage(ProgressTask task) : IBenchStage
    {
        public void Step() => task.Increment(1);

        public void Complete()
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
