namespace ScuttlebuttAkka.Bench.Scenarios;

/// <summary>What one suite run does: which measurements, how many trials, how long the idle windows are.</summary>
/// <param name="Measurements">The measurements to take after formation.</param>
/// <param name="Trials">Propagation trials.</param>
/// <param name="ChurnTrials">Discovery (and leave) trials.</param>
/// <param name="IdleWindow">The idle-cost window and the false-positive watch.</param>
/// <param name="Timeout">The longest any one wait may take.</param>
/// <param name="WaitForAdmission">Also wait for Akka's leader to admit every member (Akka only).</param>
internal sealed record SuitePlan(Measurements Measurements, int Trials, int ChurnTrials, TimeSpan IdleWindow, TimeSpan Timeout, bool WaitForAdmission = false);
