namespace Acs.Core.Saml.Validation;

/// <summary>Stable error codes of SAML response validation (documented in docs/saml-validation.md).</summary>
public static class SamlErrorCodes
{
    public const string ResponseMissing = "response_missing";
    public const string ResponseTooLarge = "response_too_large";
    public const string ResponseNotBase64 = "response_not_base64";
    public const string XmlMalformed = "xml_malformed";
    public const string XmlDtdForbidden = "xml_dtd_forbidden";
    public const string ResponseNotSaml = "response_not_saml";
    public const string IdpStatusNotSuccess = "idp_status_not_success";
    public const string DestinationMismatch = "destination_mismatch";
    public const string IssuerMismatch = "issuer_mismatch";
    public const string AssertionMissing = "assertion_missing";
    public const string AssertionMultiple = "assertion_multiple";
    public const string AssertionEncryptedUnsupported = "assertion_encrypted_unsupported";
    public const string DuplicateId = "duplicate_id";
    public const string SignatureMissing = "signature_missing";
    public const string SignatureInvalid = "signature_invalid";
    public const string SignatureReferenceInvalid = "signature_reference_invalid";
    public const string SignatureAlgorithmNotAllowed = "signature_algorithm_not_allowed";
    public const string CertificateUntrusted = "certificate_untrusted";
    public const string AssertionNotYetValid = "assertion_not_yet_valid";
    public const string AssertionExpired = "assertion_expired";
    public const string AssertionTooOld = "assertion_too_old";
    public const string ConditionUnsupported = "condition_unsupported";
    public const string AudienceMismatch = "audience_mismatch";
    public const string NameIdInvalid = "name_id_invalid";
    public const string SubjectConfirmationInvalid = "subject_confirmation_invalid";
    public const string InResponseToUnexpected = "in_response_to_unexpected";
    public const string AssertionNotEncrypted = "assertion_not_encrypted";
    public const string AssertionDecryptionFailed = "assertion_decryption_failed";
    public const string EncryptionAlgorithmNotAllowed = "encryption_algorithm_not_allowed";

    /// <summary>Every code above, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ResponseMissing, ResponseTooLarge, ResponseNotBase64, XmlMalformed, XmlDtdForbidden, ResponseNotSaml,
        IdpStatusNotSuccess, DestinationMismatch, IssuerMismatch, AssertionMissing, AssertionMultiple,
        AssertionEncryptedUnsupported, DuplicateId, SignatureMissing, SignatureInvalid, SignatureReferenceInvalid,
        SignatureAlgorithmNotAllowed, CertificateUntrusted, AssertionNotYetValid, AssertionExpired, AssertionTooOld,
        ConditionUnsupported, AudienceMismatch, NameIdInvalid, SubjectConfirmationInvalid, InResponseToUnexpected,
        AssertionNotEncrypted, AssertionDecryptionFailed, EncryptionAlgorithmNotAllowed,
    ];
}
