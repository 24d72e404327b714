using Acs.Core.Saml.Validation;

namespace Acs.Core.Login;

/// <summary>What a refused sign-in means for the company's administrator, and how it is classified for HTTP.</summary>
public static class LoginErrorHints
{
    public static LoginFailureKind KindOf(string code) => code switch
    {
        SamlErrorCodes.ResponseMissing or SamlErrorCodes.ResponseNotBase64 or SamlErrorCodes.XmlMalformed
            or SamlErrorCodes.XmlDtdForbidden or SamlErrorCodes.ResponseNotSaml or LoginErrorCodes.RequestMalformed
            or LoginErrorCodes.RelayStateTooLong => LoginFailureKind.MalformedInput,
        SamlErrorCodes.ResponseTooLarge or LoginErrorCodes.RequestTooLarge => LoginFailureKind.TooLarge,
        LoginErrorCodes.SsoNotConfigured or LoginErrorCodes.TenantUnknown => LoginFailureKind.NotConfigured,
        _ => LoginFailureKind.Refused,
    };

    public static string? HintFor(string code) => code switch
    {
        SamlErrorCodes.CertificateUntrusted =>
            "The response is signed with a certificate this site does not trust. If the IdP's signing certificate changed, " +
            "upload the new certificate (in Entra: Single sign-on → SAML Certificates → Certificate (Base64)).",
        SamlErrorCodes.SignatureInvalid =>
            "The signature does not verify with this site's certificate: the response was altered on the way, or the IdP now " +
            "signs with another key. Upload the IdP's current certificate (in Entra: SAML Certificates → Certificate (Base64)).",
        SamlErrorCodes.SignatureMissing => "The IdP did not sign the response. In Entra the default (sign SAML assertion) works.",
        SamlErrorCodes.SignatureAlgorithmNotAllowed =>
            "The IdP signs with an algorithm this site does not accept (e.g. SHA-1). Switch the IdP to SHA-256, or allow SHA-1 for this site.",
        SamlErrorCodes.AudienceMismatch =>
            "The IdP's Identifier (Entity ID) does not match this site. In Entra, set Identifier to this site's SP entity ID.",
        SamlErrorCodes.DestinationMismatch or SamlErrorCodes.SubjectConfirmationInvalid =>
            "The IdP's Reply URL does not match this site. In Entra, set Reply URL to this site's ACS URL.",
        SamlErrorCodes.IssuerMismatch =>
            "The response comes from another IdP than configured. Check the IdP entity ID (Entra: Microsoft Entra Identifier).",
        SamlErrorCodes.AssertionNotYetValid or SamlErrorCodes.AssertionExpired or SamlErrorCodes.AssertionTooOld =>
            "The response is outside its validity window: sign in again; if it persists, check the clocks or the site's clock skew.",
        SamlErrorCodes.IdpStatusNotSuccess => "The IdP reported an error instead of a sign-in; its message is in the login event log.",
        SamlErrorCodes.AssertionEncryptedUnsupported =>
            "The IdP encrypts the assertion, but this site has no encryption key yet: create one, upload its certificate to the IdP " +
            "(Entra: Single sign-on → Token encryption), or turn token encryption off there.",
        SamlErrorCodes.AssertionDecryptionFailed =>
            "The encrypted assertion could not be decrypted, or what it held was refused before its signature verified; the login " +
            "event log has the reason. Check that the IdP encrypts with the certificate of one of this site's active or decrypt-only " +
            "encryption keys (Entra: Token encryption) and signs with the configured certificate.",
        SamlErrorCodes.AssertionNotEncrypted =>
            "This site requires encrypted assertions. Turn on token encryption in the IdP (Entra: Token encryption, with this site's " +
            "certificate activated), or set the site's encryptedAssertions to optional.",
        SamlErrorCodes.EncryptionAlgorithmNotAllowed =>
            "The IdP encrypts with an algorithm this site does not accept (e.g. RSA PKCS#1 v1.5 key transport). Use AES-CBC or AES-GCM " +
            "with RSA-OAEP, as Entra does by default.",
        LoginErrorCodes.SsoNotConfigured => "Single sign-on is not configured for this site yet.",
        LoginErrorCodes.MemberUnknown => "Add this person as a team member, or turn on just-in-time provisioning.",
        LoginErrorCodes.MemberDisabled => "This team member is disabled; an administrator can enable them again.",
        LoginErrorCodes.EmailMissing => "Send the user's e-mail address, e.g. the emailaddress claim (Entra sends it by default).",
        LoginErrorCodes.EmailDomainNotAllowed => "The user's e-mail domain is not in this site's allowed domains.",
        LoginErrorCodes.MemberEmailConflict => "The e-mail belongs to a member linked to another IdP user; remove or fix that member.",
        LoginErrorCodes.AssertionReplayed => "This sign-in response was already used. Start the sign-in again from the IdP.",
        SamlErrorCodes.InResponseToUnexpected =>
            "The response answers a sign-in request this site does not have outstanding (expired after 10 minutes, already used, " +
            "or started elsewhere). Start the sign-in again from the beginning; do not reuse old browser tabs.",
        LoginErrorCodes.RequestNotFromThisBrowser =>
            "The sign-in was finished in another browser than the one that started it, or the browser did not send back the " +
            "short-lived sign-in cookie (SameSite=None; Secure, so that it survives the IdP's cross-site POST). Start the sign-in " +
            "again on this site, in the same browser, without blocking its cookies. On a plain-http site (local development) the " +
            "cookie cannot be Secure and browsers may drop it on the IdP's POST: use https, or an IdP on the same site.",
        LoginErrorCodes.IdpInitiatedNotAllowed =>
            "This site accepts only sign-ins it started. Open the site and press its sign-in button, or allow IdP-initiated sign-in for the site.",
        SamlErrorCodes.ConditionUnsupported =>
            "The IdP put a condition into the assertion that this site does not evaluate (named in the login event log, e.g. " +
            "ProxyRestriction). Remove it from the IdP application's token settings.",
        _ => null,
    };

    /// <summary>Where a refused sign-in is fixed: in the IdP (Entra), on this site, or nowhere (try again).</summary>
    public static string SideToFix(string code) => code switch
    {
        SamlErrorCodes.CertificateUntrusted or SamlErrorCodes.SignatureInvalid or SamlErrorCodes.IssuerMismatch
            or SamlErrorCodes.AssertionEncryptedUnsupported or LoginErrorCodes.SsoNotConfigured or LoginErrorCodes.MemberUnknown
            or LoginErrorCodes.MemberDisabled or LoginErrorCodes.EmailDomainNotAllowed or LoginErrorCodes.MemberEmailConflict
            or LoginErrorCodes.IdpInitiatedNotAllowed => FixSides.Here,
        SamlErrorCodes.SignatureMissing or SamlErrorCodes.SignatureAlgorithmNotAllowed or SamlErrorCodes.AudienceMismatch
            or SamlErrorCodes.DestinationMismatch or SamlErrorCodes.SubjectConfirmationInvalid or SamlErrorCodes.IdpStatusNotSuccess
            or SamlErrorCodes.AssertionNotEncrypted or SamlErrorCodes.AssertionDecryptionFailed
            or SamlErrorCodes.EncryptionAlgorithmNotAllowed or SamlErrorCodes.ConditionUnsupported
            or LoginErrorCodes.EmailMissing => FixSides.Idp,
        _ => FixSides.Neither,
    };
}

/// <summary>The side of a sign-in that has to change for a refused one to succeed.</summary>
public static class FixSides
{
    public const string Idp = "idp";
    public const string Here = "here";
    public const string Neither = "neither";
}
