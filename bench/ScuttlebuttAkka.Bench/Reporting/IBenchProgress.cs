namespace ScuttlebuttAkka.Bench.Reporting;

/// <summary>Where scenarios report how far they are and what they found, as they go.</summary>
internal interface IBenchProgress
{
    /// <summary>Starts a stage of <paramref name="steps"/> steps shown as one progress bar.</summary>
    IBenchStage Stage(string name, int steps);

    /// <summary>Prints one plain line (kept readable when the output is redirected).</summary>
    void Line(string text);
}

/// <summary>One stage's progress bar.</summary>
internal interface IBenchStage
{
    /// <summary>Marks one more step done.</summary>
    void Step();

    /// <summary>Marks the stage done, whatever steps remain.</summary>
    void Complete();
}
