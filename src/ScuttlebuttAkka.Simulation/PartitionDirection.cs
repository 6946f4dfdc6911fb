namespace ScuttlebuttAkka.Simulation;

/// <summary>Which way a partition cuts the links between its two sides.</summary>
public enum PartitionDirection
{
    /// <summary>Nothing crosses in either direction.</summary>
    TwoWay,

    /// <summary>Datagrams from the first side to the second are cut; the other direction still flows.</summary>
    OneWay,
}
