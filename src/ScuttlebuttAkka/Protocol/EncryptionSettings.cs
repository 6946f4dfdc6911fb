namespace ScuttlebuttAkka.Protocol;

/// <summary>How a node encrypts its gossip: the keys, and which of plaintext and encrypted datagrams it sends and accepts.</summary>
/// <param name="Keys">The primary key encrypts what is sent; every key of the ring is accepted on receive.</param>
/// <param name="Mode">What is sent and what is accepted; <see cref="EncryptionMode.Required"/> once every node holds the keys.</param>
public sealed record EncryptionSettings(KeyRing Keys, EncryptionMode Mode)
{
    /// <summary>Whether datagrams this node sends are encrypted.</summary>
    public bool SendsEncrypted => Mode is EncryptionMode.SendEncrypted or EncryptionMode.Required;

    /// <summary>Whether encrypted datagrams are accepted.</summary>
    public bool AcceptsEncrypted => Mode is not EncryptionMode.Off;

    /// <summary>Whether plaintext datagrams are accepted.</summary>
    public bool AcceptsPlaintext => Mode is not EncryptionMode.Required;

    /// <summary>Throws when the keys are missing or the mode is not one of <see cref="EncryptionMode"/>.</summary>
    public void Validate()
    {
        // Positional records do not stop a null from configuration binding or reflection, so check here.
        if (Keys is null)
            throw new ArgumentException("Encryption settings need a key ring; build one with KeyRing.Create or KeyRing.FromBase64.", nameof(Keys));
        if (!Enum.IsDefined(Mode))
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, $"Unknown encryption mode; expected one of {string.Join(", ", Enum.GetNames<EncryptionMode>())}.");
    }
}
