using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Validation;

/// <summary>
/// Validates a SAML 2.0 Response posted to the ACS (docs/saml-validation.md, rules 1–12). Which request
/// the response answers is the caller's to check (<see cref="SamlAssertion.InResponseTo"/>, signed values only), and so
/// is replay, keyed by <see cref="SamlAssertion.AssertionId"/> until <see cref="SamlAssertion.AcceptableUntil"/>.
/// Checks run in order and the first failure wins. Never throws for any input.
/// </summary>
public sealed class SamlResponseValidator(TimeProvider timeProvider)
{
    public SamlValidationResult Validate(string? samlResponseFormValue, SamlValidationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var failure = SamlResponseDecoder.TryDecode(samlResponseFormValue, settings.MaxResponseBytes, out var bytes);
        return failure is null ? ValidateXml(bytes, settings) : SamlValidationResult.Fail(failure);
    }

    public SamlValidationResult ValidateXml(byte[] responseXml, SamlValidationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (responseXml is null || responseXml.Length == 0)
        {
            return SamlValidationResult.Fail(SamlErrorCodes.ResponseMissing, "The SAML response is empty.");
        }

        if (responseXml.Length > settings.MaxResponseBytes)
        {
            return SamlValidationResult.Fail(SamlResponseDecoder.TooLarge(settings.MaxResponseBytes, $"{responseXml.Length} bytes"));
        }

        try
        {
            return ValidateDocument(responseXml, settings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every known failure is a result; reaching this is a bug, but it must not become a 500.
            return SamlValidationResult.Fail(SamlErrorCodes.ResponseNotSaml, "Unexpected error while reading the response: " + e.GetType().Name + ": " + e.Message);
        }
    }

    private SamlValidationResult ValidateDocument(byte[] responseXml, SamlValidationSettings settings)
    {
        // Rule 2. The character cap is generous: the byte cap already bounds the document.
        if (!SafeXml.TryLoad(responseXml, out XmlDocument? document, out var code, out var message, maxCharacters: (long)settings.MaxResponseBytes + 1024))
        {
            return SamlValidationResult.Fail(code, message);
        }

        var result = ValidateLoaded(document!, settings);
        return result.IsValid || result.Failure.Evidence is not null
            ? result
            : SamlValidationResult.Fail(result.Failure with { Evidence = SamlEvidenceReader.Read(document!.DocumentElement!) });
    }

    /// <summary>Rules 3–12 on the parsed document. A failure found in the verified assertion already carries its evidence;
    /// the caller adds the rest from the document as sent.</summary>
    private SamlValidationResult ValidateLoaded(XmlDocument document, SamlValidationSettings settings)
    {
        // Rules 3–7.
        if (SamlResponseReader.Read(document, settings, out var response) is { } readFailure)
        {
            return SamlValidationResult.Fail(readFailure);
        }

        // Rules 7–12 for an encrypted assertion: decrypted, then every rule below on what was decrypted.
        if (EncryptedAssertionValidation.IsEncrypted(response!))
        {
            return EncryptedAssertionValidation.Validate(response!, settings, timeProvider.GetUtcNow());
        }

        // Rule 8.
        if (SamlSignatureVerifier.Verify(response!, settings, out var verified) is { } signatureFailure)
        {
            return SamlValidationResult.Fail(signatureFailure);
        }

        // From here on only verified elements are read: the assertion whose own signature verified, or else the
        // Assertion child of the Response whose signature verified.
        var assertion = verified.Assertion
            ?? (verified.Response is null ? null : SamlXml.Single(verified.Response, "Assertion", SamlConstants.AssertionNamespace, out _));
        if (assertion is null)
        {
            return SamlValidationResult.Fail(SamlErrorCodes.SignatureMissing, "No verified signature covers the Assertion.");
        }

        // Rules 9–12.
        return SamlAssertionValidator.Validate(assertion, response!, verified.Parts, settings, timeProvider.GetUtcNow());
    }
}
