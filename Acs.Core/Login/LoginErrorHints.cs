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

    /// <summary>The admin hint of a refusal code; null only for a code that is not a sign-in refusal code.</summary>
    public static string? HintFor(string code) => Of(code)?.Text;

    /// <summary>Whether the company's IdP or this site's settings (or the service) must change; null for an unknown code.</summary>
    public static LoginErrorSide? SideOf(string code) => Of(code)?.Side;

    /// <summary>Every refusal code of <see cref="SamlErrorCodes"/> and <see cref="LoginErrorCodes"/> has a hint and a side.</summary>
    public static LoginErrorHint? Of(string code) => code switch
    {
        SamlErrorCodes.ResponseMissing => Idp(
            "The post carried no SAMLResponse. The IdP must post its response to this site's ACS URL with the HTTP-POST binding " +
            "(Entra does); a bookmark or a link to the ACS URL cannot sign anyone in."),
        SamlErrorCodes.ResponseTooLarge => Idp(
            "The SAML response is larger than this site accepts. Remove claims the site does not need from the IdP application " +
            "(in Entra, group claims of users in many groups are the usual cause)."),
        SamlErrorCodes.ResponseNotBase64 => Idp(
            "The SAMLResponse field is not base64. The IdP must post the response base64-encoded, with the HTTP-POST binding."),
        SamlErrorCodes.XmlMalformed => Idp(
            "The SAML response is not well-formed XML: it was damaged on the way, or the IdP sent something else. Sign in again; " +
            "if it persists, check any proxy between the IdP and this site."),
        SamlErrorCodes.XmlDtdForbidden => Idp(
            "The response contains a DTD, which this site never accepts (an XML attack vector). A genuine IdP sends none; if your " +
            "IdP does, contact its vendor."),
        SamlErrorCodes.ResponseNotSaml => Idp(
            "The post is not a SAML 2.0 Response. Check that the IdP application uses SAML 2.0 (not WS-Federation or OpenID " +
            "Connect) and posts to this site's ACS URL."),
        SamlErrorCodes.AssertionMissing => Idp(
            "The response holds no assertion: the IdP did not sign the user in. The IdP's sign-in log says why."),
        SamlErrorCodes.AssertionMultiple => Idp(
            "The response holds more than one assertion; this site accepts exactly one. Check the IdP application's token settings."),
        SamlErrorCodes.DuplicateId => Idp(
            "Two elements of the response share one ID, the mark of a tampered response (signature wrapping). It is refused; if " +
            "your IdP sent it as is, contact its vendor."),
        SamlErrorCodes.SignatureReferenceInvalid => Idp(
            "The signature does not cover the response or assertion it sits in (a malformed or wrapped signature). Configure the " +
            "IdP to sign the assertion or the response (Entra: SAML Certificates → Signing Option)."),
        SamlErrorCodes.NameIdInvalid => Idp(
            "The assertion's NameID is missing or unusable. In Entra, set Unique User Identifier (Name ID) to user.userprincipalname " +
            "or user.mail."),
        SamlErrorCodes.CertificateUntrusted => Service(
            "The response is signed with a certificate this site does not trust. If the IdP's signing certificate changed, " +
            "upload the new certificate (in Entra: Single sign-on → SAML Certificates → Certificate (Base64))."),
        SamlErrorCodes.SignatureInvalid => Service(
            "The signature does not verify with this site's certificate: the response was altered on the way, or the IdP now " +
            "signs with another key. Upload the IdP's current certificate (in Entra: SAML Certificates → Certificate (Base64))."),
        SamlErrorCodes.SignatureMissing => Idp("The IdP did not sign the response. In Entra the default (sign SAML assertion) works."),
        SamlErrorCodes.SignatureAlgorithmNotAllowed => Idp(
            "The IdP signs with an algorithm this site does not accept (e.g. SHA-1). Switch the IdP to SHA-256, or allow SHA-1 for this site."),
        SamlErrorCodes.AudienceMismatch => Idp(
            "The IdP's Identifier (Entity ID) does not match this site. In Entra, set Identifier to this site's SP entity ID."),
        SamlErrorCodes.DestinationMismatch or SamlErrorCodes.SubjectConfirmationInvalid => Idp(
            "The IdP's Reply URL does not match this site. In Entra, set Reply URL to this site's ACS URL."),
        SamlErrorCodes.IssuerMismatch => Service(
            "The response comes from another IdP than configured. Check the IdP entity ID in this site's SSO settings (Entra: " +
            "Microsoft Entra Identifier)."),
        SamlErrorCodes.AssertionNotYetValid or SamlErrorCodes.AssertionExpired or SamlErrorCodes.AssertionTooOld => Service(
            "The response is outside its validity window: sign in again; if it persists, check the clocks or the site's clock skew."),
        SamlErrorCodes.IdpStatusNotSuccess => Idp("The IdP reported an error instead of a sign-in; its message is in the login event log."),
        SamlErrorCodes.AssertionEncryptedUnsupported => Service(
            "The IdP encrypts the assertion, but this site has no encryption key yet: create one, upload its certificate to the IdP " +
            "(Entra: Single sign-on → Token encryption), or turn token encryption off there."),
        SamlErrorCodes.AssertionDecryptionFailed => Idp(
            "The encrypted assertion could not be decrypted, or what it held was refused before its signature verified; the login " +
            "event log has the reason. Check that the IdP encrypts with the certificate of one of this site's active or decrypt-only " +
            "encryption keys (Entra: Token encryption) and signs with the configured certificate."),
        SamlErrorCodes.AssertionNotEncrypted => Idp(
            "This site requires encrypted assertions. Turn on token encryption in the IdP (Entra: Token encryption, with this site's " +
            "certificate activated), or set the site's encryptedAssertions to optional."),
        SamlErrorCodes.EncryptionAlgorithmNotAllowed => Idp(
            "The IdP encrypts with an algorithm this site does not accept (e.g. RSA PKCS#1 v1.5 key transport). Use AES-CBC or AES-GCM " +
            "with RSA-OAEP, as Entra does by default."),
        SamlErrorCodes.ConditionUnsupported => Idp(
            "The IdP put a condition into the assertion that this site does not evaluate (named in the login event log, e.g. " +
            "ProxyRestriction). Remove it from the IdP application's token settings."),
        SamlErrorCodes.InResponseToUnexpected => Service(
            "The response answers a sign-in request this site does not have outstanding (expired after 10 minutes, already used, " +
            "or started elsewhere). Start the sign-in again from the beginning; do not reuse old browser tabs."),
        LoginErrorCodes.TenantUnknown => Service(
            "No company site has this address. Check the subdomain of the link users follow and of the IdP's Reply URL."),
        LoginErrorCodes.SsoNotConfigured => Service(
            "Single sign-on is not configured for this site yet: an operator sets the IdP's entity ID, sign-in URL and certificate."),
        LoginErrorCodes.RequestTooLarge => Idp(
            "The sign-in post is larger than this site accepts. Remove claims the site does not need from the IdP application."),
        LoginErrorCodes.RequestMalformed => Idp(
            "The sign-in post is not a form with one SAMLResponse. The IdP must post to this site's ACS URL with the HTTP-POST binding."),
        LoginErrorCodes.RelayStateTooLong => Idp(
            "The RelayState is too long. In the IdP application, leave Relay State empty or set a short path on this site, such as /."),
        LoginErrorCodes.AssertionReplayed => Service(
            "This sign-in response was already used (the browser's back button, or a copied post). Start the sign-in again."),
        LoginErrorCodes.IdpInitiatedNotAllowed => Service(
            "This site accepts only sign-ins it started. Open the site and press its sign-in button, or allow IdP-initiated sign-in for the site."),
        LoginErrorCodes.RequestNotFromThisBrowser => Service(
            "The sign-in was finished in another browser than the one that started it, or the browser did not send back the " +
            "short-lived sign-in cookie (SameSite=None; Secure, so that it survives the IdP's cross-site POST). Start the sign-in " +
            "again on this site, in the same browser, without blocking its cookies. On a plain-http site (local development) the " +
            "cookie cannot be Secure and browsers may drop it on the IdP's POST: use https, or an IdP on the same site."),
        LoginErrorCodes.MemberDisabled => Service("This team member is disabled; an administrator can enable them again."),
        LoginErrorCodes.MemberUnknown => Service("Add this person as a team member, or turn on just-in-time provisioning."),
        LoginErrorCodes.EmailMissing => Idp("Send the user's e-mail address, e.g. the emailaddress claim (Entra sends it by default)."),
        LoginErrorCodes.EmailDomainNotAllowed => Service("The user's e-mail domain is not in this site's allowed domains."),
        LoginErrorCodes.MemberEmailConflict => Service("The e-mail belongs to a member linked to another IdP user; remove or fix that member."),
        _ => null,
    };

    private static LoginErrorHint Idp(string text) => new(text, LoginErrorSide.Idp);

    private static LoginErrorHint Service(string text) => new(text, LoginErrorSide.Service);
}

/// <summary>Where a refused sign-in is fixed.</summary>
public enum LoginErrorSide
{
    /// <summary>In the company's identity provider (e.g. the Entra enterprise application).</summary>
    Idp,

    /// <summary>On this site: its SSO settings, its team members, or by starting the sign-in again here.</summary>
    Service,
}

/// <summary>An admin hint, and on which side the fix lies.</summary>
public sealed record LoginErrorHint(string Text, LoginErrorSide Side);
