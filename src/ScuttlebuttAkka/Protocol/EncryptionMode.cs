namespace ScuttlebuttAkka.Protocol;

/// <summary>
/// What a node sends and what it accepts. Turning encryption on in a running cluster goes through the modes in order,
/// one node at a time (docs/security.md): any two neighbouring modes understand each other, so no round is lost.
/// </summary>
public enum EncryptionMode
{
    /// <summary>Sends plaintext and accepts only plaintext; encrypted datagrams are dropped as <see cref="DropReason.EncryptionNotConfigured"/>. The same as configuring no encryption.</summary>
    Off = 0,

    /// <summary>Migration step 1: still sends plaintext, but accepts encrypted datagrams too, so it understands nodes that have moved on to <see cref="SendEncrypted"/>.</summary>
    AcceptEncrypted = 1,

    /// <summary>Migration step 2: sends encrypted, and still accepts plaintext from nodes that have not switched yet.</summary>
    SendEncrypted = 2,

    /// <summary>Sends encrypted and drops plaintext as <see cref="DropReason.NotEncrypted"/>: the only mode that keeps non-members out.</summary>
    Required = 3,
}
