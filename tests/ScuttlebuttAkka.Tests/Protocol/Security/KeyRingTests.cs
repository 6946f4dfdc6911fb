using System.Buffers.Binary;
using System.Security.Cryptography;
using ScuttlebuttAkka.Protocol;

namespace ScuttlebuttAkka.Tests.Protocol.Security;

public sealed class KeyRingTests
{
    private static byte[] Key(int size, int seed)
    {
        var key = new byte[size];
        new Random(seed).NextBytes(key);
        return key;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(23)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Keys_that_are_not_16_24_or_32_bytes_are_refused_with_a_clear_message(int size)
    {
        var asPrimary = Assert.Throws<ArgumentException>(() => KeyRing.Create(Key(size, 1)));
        var asAccepted = Assert.Throws<ArgumentException>(() => KeyRing.Create(Key(32, 1), Key(32, 2), Key(size, 3)));

        Assert.Contains("16, 24 or 32 bytes", asPrimary.Message, StringComparison.Ordinal);
        Assert.Contains($"is {size} bytes", asPrimary.Message, StringComparison.Ordinal);
        Assert.Contains("Accepted key #2", asAccepted.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Keys_of_16_24_and_32_bytes_are_taken(int size)
    {
        var key = Key(size, size);
        var ring = KeyRing.Create(key);
        Assert.True(ring.Primary.Span.SequenceEqual(key));
        Assert.Empty(ring.Accepted);
        Assert.Equal(1, ring.Count);
    }

    [Fact]
    public void An_all_zero_key_and_null_keys_are_refused()
    {
        Assert.Contains("all zeros", Assert.Throws<ArgumentException>(() => KeyRing.Create(new byte[32])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => KeyRing.Create(null!));
        Assert.Throws<ArgumentNullException>(() => KeyRing.Create(Key(16, 1), [null!]));
    }

    [Fact]
    public void Duplicate_keys_collapse_and_the_primary_is_never_listed_as_accepted()
    {
        var a = Key(32, 1);
        var b = Key(16, 2);
        var ring = KeyRing.Create(a, (byte[])a.Clone(), b, (byte[])b.Clone(), a);

        Assert.Equal(2, ring.Count);
        var accepted = Assert.Single(ring.Accepted);
        Assert.True(accepted.Span.SequenceEqual(b));
        Assert.Equal(KeyRing.KeyIdOf(b), Assert.Single(ring.AcceptedKeyIds));
        Assert.True(ring.Contains(a));
        Assert.True(ring.Contains(b));
        Assert.False(ring.Contains(Key(32, 3)));
    }

    [Fact]
    public void A_key_id_is_the_first_four_bytes_of_the_keys_sha256()
    {
        var key = Key(32, 9);
        var hash = SHA256.HashData(key);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(hash), KeyRing.KeyIdOf(key));
        Assert.Equal(KeyRing.KeyIdOf(key), KeyRing.Create(key).PrimaryKeyId);
        Assert.NotEqual(KeyRing.KeyIdOf(key), KeyRing.KeyIdOf(Key(32, 10)));
    }

    [Fact]
    public void The_ring_copies_its_keys_so_changing_the_callers_array_changes_nothing()
    {
        var key = Key(32, 4);
        var original = (byte[])key.Clone();
        var ring = KeyRing.Create(key);
        key[0] ^= 0xFF;
        Assert.True(ring.Primary.Span.SequenceEqual(original));
        Assert.Equal(KeyRing.KeyIdOf(original), ring.PrimaryKeyId);
    }

    [Fact]
    public void FromBase64_builds_the_same_ring_as_Create()
    {
        var a = Key(32, 5);
        var b = Key(24, 6);
        var fromBytes = KeyRing.Create(a, b);
        var fromText = KeyRing.FromBase64(Convert.ToBase64String(a), Convert.ToBase64String(b));

        Assert.True(fromText.Primary.Span.SequenceEqual(fromBytes.Primary.Span));
        Assert.Equal(fromBytes.PrimaryKeyId, fromText.PrimaryKeyId);
        Assert.Equal(fromBytes.AcceptedKeyIds, fromText.AcceptedKeyIds);
    }

    [Fact]
    public void Bad_base64_is_refused_without_echoing_the_secret()
    {
        const string notBase64 = "this-is-not-base64!!";
        var bad = Assert.Throws<ArgumentException>(() => KeyRing.FromBase64(notBase64));
        Assert.Contains("not valid base64", bad.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(notBase64, bad.Message, StringComparison.Ordinal);

        var shortKey = Assert.Throws<ArgumentException>(() => KeyRing.FromBase64(Convert.ToBase64String(Key(32, 1)), Convert.ToBase64String(Key(20, 2))));
        Assert.Contains("Accepted key #1 is 20 bytes", shortKey.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KeyRing.FromBase64(" "));
    }

    [Fact]
    public void ToString_names_key_ids_but_never_key_material()
    {
        var a = Key(32, 7);
        var b = Key(32, 8);
        var text = KeyRing.Create(a, b).ToString();

        Assert.Contains(KeyRing.KeyIdOf(a).ToString("x8", null), text, StringComparison.Ordinal);
        Assert.Contains(KeyRing.KeyIdOf(b).ToString("x8", null), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(a), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(a)[..16], text, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerateKey_makes_distinct_keys_of_valid_sizes_only()
    {
        Assert.Equal(32, KeyRing.GenerateKey().Length);
        Assert.Equal(16, KeyRing.GenerateKey(16).Length);
        Assert.False(KeyRing.GenerateKey().AsSpan().SequenceEqual(KeyRing.GenerateKey()));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyRing.GenerateKey(20));
    }
}
