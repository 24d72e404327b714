namespace Acs.Core.Diagnosis;

/// <summary>
/// A known cause of a sign-in's failure (or, for a successful one, of a problem the sign-in did not refuse), read from
/// the evidence of the response. Advice is plain words for the company's administrator, shown in the login event log and
/// on the error page: it names only values the response itself carried or this site's public URLs, never another site's
/// data or this site's trusted certificates.
/// </summary>
/// <param name="Cause">Stable snake_case name (<see cref="DiagnosisCauses"/>).</param>
/// <param name="Fix">Where it is fixed: <see cref="DiagnosisFixes.Idp"/> or <see cref="DiagnosisFixes.Service"/>.</param>
/// <param name="Advice">The exact step, in words.</param>
public sealed record SignInDiagnosis(string Cause, string Fix, string Advice);

public static class DiagnosisFixes
{
    /// <summary>In the identity provider (Entra's application settings, the user's account there).</summary>
    public const string Idp = "idp";

    /// <summary>In this service (the site's single sign-on settings, the service's operation).</summary>
    public const string Service = "service";
}

/// <summary>The causes <see cref="SignInDiagnoser"/> names (docs/saml-validation.md, "Diagnosis").</summary>
public static class DiagnosisCauses
{
    public const string AudienceIsApplicationId = "audience_is_application_id";
    public const string AudienceNearMiss = "audience_near_miss";
    public const string AudienceOfAnotherSite = "audience_of_another_site";
    public const string AudienceOfAnotherEnvironment = "audience_of_another_environment";
    public const string ReplyUrlNearMiss = "reply_url_near_miss";
    public const string ReplyUrlOfAnotherSite = "reply_url_of_another_site";
    public const string ReplyUrlOfAnotherEnvironment = "reply_url_of_another_environment";
    public const string EntraTenantMismatch = "entra_tenant_mismatch";
    public const string IssuerNearMiss = "issuer_near_miss";
    public const string CertificateOfAnotherSite = "certificate_of_another_site";
    public const string IdpCertificateRolled = "idp_certificate_rolled";
    public const string ClockSkew = "clock_skew";
    public const string Sha1Signature = "sha1_signature";
    public const string EntraGroupsOverage = "entra_groups_overage";
    public const string EntraUserNotAssigned = "entra_user_not_assigned";
    public const string EntraReplyUrlMismatch = "entra_reply_url_mismatch";
    public const string EntraAuthenticationMethodMismatch = "entra_authentication_method_mismatch";
    public const string EntraBindingProblem = "entra_binding_problem";
    public const string EntraApplicationNotFound = "entra_application_not_found";
    public const string EntraMfaRequired = "entra_mfa_required";
    public const string EntraMfaRegistrationRequired = "entra_mfa_registration_required";
    public const string EntraUserNotFound = "entra_user_not_found";
    public const string EntraGuestNotInTenant = "entra_guest_not_in_tenant";
    public const string EntraUserDisabled = "entra_user_disabled";
    public const string EntraAccountLocked = "entra_account_locked";
    public const string EntraConditionalAccessBlocked = "entra_conditional_access_blocked";
    public const string EntraRequestTooLong = "entra_request_too_long";
}
