namespace ScuttlebuttAkka.Protocol;

/// <summary>Why a datagram was dropped instead of applied. Every drop is counted by reason.</summary>
public enum DropReason
{
    /// <summary>Not dropped.</summary>
    None = 0,

    /// <summary>Shorter than a header.</summary>
    TooShort,

    /// <summary>Longer than the configured maximum datagram size.</summary>
    TooLarge,

    /// <summary>Does not start with the magic number.</summary>
    BadMagic,

    /// <summary>A protocol version this code does not speak.</summary>
    UnsupportedVersion,

    /// <summary>A message type this code does not know.</summary>
    UnknownMessageType,

    /// <summary>Sent by a node of another cluster.</summary>
    WrongCluster,

    /// <summary>A length or count points past the end of the datagram, or is larger than allowed.</summary>
    LengthOutOfRange,

    /// <summary>A varint that is not minimal (ends in a zero byte), longer than ten bytes, or larger than its field allows.</summary>
    BadVarInt,

    /// <summary>A string that is not valid UTF-8.</summary>
    BadUtf8,

    /// <summary>A field out of its allowed range: an empty id or key, a zero generation, a bad address, an unknown flag, versions out of order or out of range.</summary>
    InvalidField,

    /// <summary>Bytes left over after the message.</summary>
    TrailingBytes,

    /// <summary>Plaintext received where encryption is required.</summary>
    NotEncrypted,

    /// <summary>Encrypted with a key this node does not hold.</summary>
    UnknownKey,

    /// <summary>Failed authentication: tampered, truncated, or encrypted for another cluster.</summary>
    DecryptionFailed,

    /// <summary>Encrypted, but this node has no keys configured.</summary>
    EncryptionNotConfigured,

    /// <summary>Decoded fine, but handling it threw (a bug, logged as an error): dropped so the node keeps running.</summary>
    ProcessingFailed,
}
