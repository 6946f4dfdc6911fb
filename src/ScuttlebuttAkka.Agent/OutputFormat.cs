namespace ScuttlebuttAkka.Agent;

/// <summary>How the agent writes to standard output.</summary>
internal enum OutputFormat
{
    /// <summary>One line per item for people: local date, time and zone, then what happened.</summary>
    Text,

    /// <summary>One JSON object per line for scripts: a UTC ISO 8601 time, the observer id, a type, and fields.</summary>
    Json,
}
