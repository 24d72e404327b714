using System.Security.Cryptography;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Saml.Encryption;

/// <summary>What one decryption did. <see cref="FailureReason"/> is for the operator's login event only; the tests
/// use the counts to prove that every failure takes the same path as a success.</summary>
internal sealed record DecryptionOutcome(
    byte[]? Plaintext,
    string? FailureReason,
    SamlDecryptionKey? Key,
    int RsaOperations,
    bool ContentDecryptionRan);

/// <summary>
/// The cryptography of rule 7, on System.Security.Cryptography only: unwrap the content key with RSA-OAEP under one of
/// the tenant's keys, then decrypt the content with AES-CBC or AES-GCM.
/// No padding oracle: whatever fails — a key wrapped for someone else, OAEP decoding, the unwrapped key's length, the
/// CBC padding, the GCM tag, a ciphertext of the wrong length — the caller gets the same code and the browser the
/// same page. When unwrapping fails, the content is still decrypted under a random key of the right length, so the
/// work done, and its time, does not tell a bad wrapped key from a bad ciphertext.
/// </summary>
internal static class AssertionDecryption
{
    public const string Message = "The EncryptedAssertion could not be decrypted with this site's SP encryption keys";

    public static SamlFailure Failed(string reason) =>
        new(SamlErrorCodes.AssertionDecryptionFailed, Message + ": " + reason + ".");

    public static DecryptionOutcome Decrypt(EncryptedAssertionParts parts, IReadOnlyList<SamlDecryptionKey> keys)
    {
        var content = parts.Content;
        var contentKey = new byte[content.KeyBytes];
        string? failure = null;
        SamlDecryptionKey? used = null;
        var rsaOperations = 0;
        try
        {
            var candidates = Candidates(parts, keys, out failure);
            foreach (var key in candidates)
            {
                var rsa = key.PrivateKey!;
                if (parts.WrappedKey.Length != (rsa.KeySize + 7) / 8)
                {
                    // Lengths are in the clear; refusing them costs nothing an attacker did not already know.
                    failure ??= $"the wrapped content key is {parts.WrappedKey.Length} bytes, and key {key.ThumbprintSha256} takes {(rsa.KeySize + 7) / 8}";
                    continue;
                }

                rsaOperations++;
                byte[]? unwrapped = null;
                try
                {
                    unwrapped = rsa.Decrypt(parts.WrappedKey, parts.KeyTransport.Padding);
                }
                catch (CryptographicException)
                {
                    failure ??= $"RSA-OAEP unwrapping of the content key failed with key {key.ThumbprintSha256}";
                }

                if (unwrapped is not null)
                {
                    if (used is null && unwrapped.Length == contentKey.Length)
                    {
                        unwrapped.CopyTo(contentKey, 0);
                        used = key;
                    }
                    else if (used is null)
                    {
                        failure ??= $"the unwrapped content key is {unwrapped.Length} bytes; {content.Uri} takes {contentKey.Length}";
                    }

                    CryptographicOperations.ZeroMemory(unwrapped);
                }
            }

            if (used is null)
            {
                RandomNumberGenerator.Fill(contentKey);
                failure ??= "no key of this site unwrapped the content key";
            }
            else
            {
                failure = null;
            }

            var plaintext = content.IsGcm
                ? DecryptGcm(parts.CipherValue, contentKey, out var contentFailure)
                : DecryptCbc(parts.CipherValue, contentKey, out contentFailure);
            failure ??= contentFailure;
            return new DecryptionOutcome(failure is null ? plaintext : null, failure, used, rsaOperations, ContentDecryptionRan: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    /// <summary>The named certificate's key when it is one of ours; otherwise every usable key (the work is the same
    /// either way, and which keys exist is configuration, not a secret of the message).</summary>
    private static List<SamlDecryptionKey> Candidates(EncryptedAssertionParts parts, IReadOnlyList<SamlDecryptionKey> keys, out string? note)
    {
        note = null;
        var usable = keys.Where(k => k.PrivateKey is not null).ToList();
        if (usable.Count == 0)
        {
            note = "none of this site's keys can be used: their private keys cannot be unsealed (is the key-encryption key configured?)";
            return usable;
        }

        if (parts.NamedCertificate is { } named)
        {
            var exact = usable.Where(k => k.CertificateDer.AsSpan().SequenceEqual(named)).ToList();
            if (exact.Count > 0)
            {
                return exact;
            }

            var thumbprint = Convert.ToHexStringLower(SHA256.HashData(named));
            note = keys.Any(k => k.CertificateDer.AsSpan().SequenceEqual(named))
                ? $"the content key is wrapped for certificate {thumbprint}, whose private key cannot be unsealed"
                : $"the content key is wrapped for certificate {thumbprint}, which is not one of this site's active or decrypt-only keys";
        }

        return usable;
    }

    /// <summary>XML Encryption's CBC: a 16-byte IV, then whole blocks; the last plaintext byte counts the padding
    /// bytes (1–16), whose other bytes are arbitrary.</summary>
    private static byte[]? DecryptCbc(byte[] cipherValue, byte[] key, out string? failure)
    {
        const int block = 16;
        failure = null;
        if (cipherValue.Length < ContentAlgorithm.CbcIvBytes + block || (cipherValue.Length - ContentAlgorithm.CbcIvBytes) % block != 0)
        {
            failure = $"the AES-CBC ciphertext is {cipherValue.Length} bytes, not an IV and whole blocks";
            return null;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        var output = aes.DecryptCbc(cipherValue.AsSpan(ContentAlgorithm.CbcIvBytes), cipherValue.AsSpan(0, ContentAlgorithm.CbcIvBytes), PaddingMode.None);
        int padding = output[^1];
        if (padding is < 1 or > block)
        {
            failure = "the AES-CBC padding is invalid";
            return null;
        }

        return output.AsSpan(0, output.Length - padding).ToArray();
    }

    /// <summary>XML Encryption 1.1's GCM: a 12-byte nonce, the ciphertext, a 16-byte tag.</summary>
    private static byte[]? DecryptGcm(byte[] cipherValue, byte[] key, out string? failure)
    {
        failure = null;
        if (cipherValue.Length < ContentAlgorithm.GcmNonceBytes + ContentAlgorithm.GcmTagBytes)
        {
            failure = $"the AES-GCM ciphertext is {cipherValue.Length} bytes, shorter than its nonce and tag";
            return null;
        }

        var nonce = cipherValue.AsSpan(0, ContentAlgorithm.GcmNonceBytes);
        var tag = cipherValue.AsSpan(cipherValue.Length - ContentAlgorithm.GcmTagBytes);
        var ciphertext = cipherValue.AsSpan(ContentAlgorithm.GcmNonceBytes, cipherValue.Length - ContentAlgorithm.GcmNonceBytes - ContentAlgorithm.GcmTagBytes);
        var output = new byte[ciphertext.Length];
        using var gcm = new AesGcm(key, ContentAlgorithm.GcmTagBytes);
        try
        {
            gcm.Decrypt(nonce, ciphertext, tag, output);
            return output;
        }
        catch (AuthenticationTagMismatchException)
        {
            failure = "the AES-GCM authentication tag does not match";
            return null;
        }
    }
}
