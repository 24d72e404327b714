using System.Xml;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Encryption;

/// <summary>
/// Rules 7–12 for a Response whose assertion is encrypted (docs/saml-validation.md, "Encrypted assertions"):
/// <list type="number">
/// <item>the EncryptedAssertion's structure and algorithms (<see cref="EncryptedAssertionReader"/>);</item>
/// <item>rule 8 for the envelope: a Response signature covers the EncryptedAssertion as sent, so it is verified on
/// the document as received, before anything is decrypted;</item>
/// <item>decryption (<see cref="AssertionDecryption"/>), then the plaintext parsed by <see cref="SafeXml"/> as a
/// document of its own: exactly one Assertion, as its root, unique IDs;</item>
/// <item>rule 8 for the assertion's own signature, in that decrypted document: exclusive c14n of the decrypted
/// Assertion element alone is what the IdP signed;</item>
/// <item>rules 9–12 on the verified element only, exactly as for a plain assertion.</item>
/// </list>
/// Until something vouches for the plaintext — a verified Response signature over the ciphertext, the AES-GCM tag, or
/// the assertion's own signature — every refusal is <c>assertion_decryption_failed</c> (the underlying code is in the
/// message): with AES-CBC, an altered ciphertext decrypts to altered plaintext, and telling "did not parse" from
/// "parsed, but the signature failed" would be the very oracle the uniform code closes.
/// </summary>
internal static class EncryptedAssertionValidation
{
    public static bool IsEncrypted(SamlResponseDocument response) =>
        response.Assertion.LocalName == "EncryptedAssertion" && response.Assertion.NamespaceURI == SamlConstants.AssertionNamespace;

    public static SamlValidationResult Validate(SamlResponseDocument envelope, SamlValidationSettings settings, DateTimeOffset now)
    {
        // Rule 7: structure and allow-lists, from the message alone.
        if (EncryptedAssertionReader.Read(envelope.Assertion, settings, out var parts) is { } structureFailure)
        {
            return SamlValidationResult.Fail(structureFailure);
        }

        // Rule 8 for the envelope. The reader admitted no ds:Signature inside the EncryptedAssertion, so every signature
        // here must be the Response's own (the verifier refuses any other position).
        var envelopeVerified = new VerifiedElements(null, null);
        if (envelope.Document.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace).Count > 0
            && SamlSignatureVerifier.Verify(envelope, settings, out envelopeVerified) is { } envelopeFailure)
        {
            return SamlValidationResult.Fail(envelopeFailure);
        }

        var responseVouches = envelopeVerified.Response is not null
            && ReferenceEquals(SamlXml.Single(envelopeVerified.Response, "EncryptedAssertion", SamlConstants.AssertionNamespace, out _), envelope.Assertion);
        var authenticated = responseVouches || parts!.Content.IsGcm;

        // Rule 7: decryption.
        var outcome = AssertionDecryption.Decrypt(parts!, settings.DecryptionKeys);
        if (outcome.Plaintext is null)
        {
            return SamlValidationResult.Fail(AssertionDecryption.Failed(outcome.FailureReason!) with
            {
                Expected = string.Join(", ", settings.DecryptionKeys.Select(k => k.ThumbprintSha256)),
                Received = parts!.NamedCertificate is { } named ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(named)) : null,
            });
        }

        // Rule 7 on the plaintext, then rule 8 for the assertion's signature.
        var innerVerified = new VerifiedElements(null, null);
        var innerFailure = ReadDecrypted(outcome.Plaintext, envelope, settings, out var decrypted);
        if (innerFailure is null)
        {
            innerFailure = VerifyDecrypted(decrypted!, settings, out innerVerified);
        }

        if (innerFailure is not null)
        {
            return SamlValidationResult.Fail(authenticated ? innerFailure : Unauthenticated(innerFailure));
        }

        // Only verified elements are read: the assertion whose own signature verified, or else the content of the
        // EncryptedAssertion child of the Response whose signature verified.
        var assertion = innerVerified.Assertion ?? (responseVouches ? decrypted!.Assertion : null);
        if (assertion is null)
        {
            var missing = new SamlFailure(SamlErrorCodes.SignatureMissing,
                "Neither the Response nor the decrypted Assertion is signed; an encrypted assertion must be signed inside when the Response is not.");
            return SamlValidationResult.Fail(authenticated ? missing : Unauthenticated(missing));
        }

        // Rules 9–12.
        return SamlAssertionValidator.Validate(assertion, decrypted!, envelopeVerified.Parts | innerVerified.Parts, settings, now);
    }

    /// <summary>The decrypted octets as their own document, parsed with the envelope's hardened settings. Root, ID
    /// index and assertion are those of the decrypted document; the Response root and ID stay the envelope's.</summary>
    private static SamlFailure? ReadDecrypted(byte[] plaintext, SamlResponseDocument envelope, SamlValidationSettings settings,
        out SamlResponseDocument? decrypted)
    {
        decrypted = null;
        if (!SafeXml.TryLoad(plaintext, out var document, out var code, out var message, maxCharacters: settings.MaxEncryptedAssertionBytes + 1024L))
        {
            return new SamlFailure(code, "The decrypted assertion: " + message);
        }

        var root = document.DocumentElement!;
        if (root.LocalName != "Assertion" || root.NamespaceURI != SamlConstants.AssertionNamespace)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMissing, "The EncryptedAssertion does not hold an Assertion.")
            {
                Expected = "{" + SamlConstants.AssertionNamespace + "}Assertion",
                Received = "{" + root.NamespaceURI + "}" + root.LocalName,
            };
        }

        var assertions = document.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace).Count
            + document.GetElementsByTagName("EncryptedAssertion", SamlConstants.AssertionNamespace).Count;
        if (assertions > 1)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMultiple,
                $"The decrypted assertion holds {assertions - 1} further (encrypted) Assertion element(s); exactly one is accepted.");
        }

        // IDs are unique within the decrypted document and, as for a plain assertion, across the whole message.
        var duplicate = SamlResponseReader.IndexIds(root, out var elementsById)
            ?? elementsById.Keys.FirstOrDefault(envelope.ElementsById.ContainsKey);
        if (duplicate is not null)
        {
            return new SamlFailure(SamlErrorCodes.DuplicateId, "An ID value occurs more than once in the Response and its decrypted assertion.")
            {
                Received = duplicate,
            };
        }

        decrypted = new SamlResponseDocument(document, envelope.Root, envelope.ResponseId, root, elementsById);
        return null;
    }

    /// <summary>
    /// Rule 8 inside the decrypted document. Its signatures are looked up there only; a signature is accepted only as a
    /// direct child of the decrypted Assertion (the envelope's Response root is in another document, so nothing here
    /// can pass for it), and its reference resolves through the decrypted document's own ID index.
    /// </summary>
    private static SamlFailure? VerifyDecrypted(SamlResponseDocument decrypted, SamlValidationSettings settings, out VerifiedElements verified)
    {
        verified = new VerifiedElements(null, null);
        return decrypted.Document.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace).Count == 0
            ? null
            : SamlSignatureVerifier.Verify(decrypted, settings, out verified);
    }

    private static SamlFailure Unauthenticated(SamlFailure failure) =>
        AssertionDecryption.Failed(
            "nothing vouches for the plaintext (AES-CBC and no verified Response signature), and it was refused before its own signature "
            + $"verified, so the reason is reported as a decryption failure: {failure.Code}: {failure.Message.TrimEnd('.')}") with
        {
            Expected = failure.Expected,
            Received = failure.Received,
        };
}
