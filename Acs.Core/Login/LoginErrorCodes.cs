namespace Acs.Core.Login;

/// <summary>Codes of refused sign-ins beyond the SAML validation codes of <see cref="Saml.SamlErrorCodes"/>.</summary>
public static class LoginErrorCodes
{
    public const string TenantUnknown = "tenant_unknown";
    public const string SsoNotConfigured = "sso_not_configured";
    public const string RequestTooLarge = "request_too_large";
    public const string RequestMalformed = "request_malformed";
    public const string RelayStateTooLong = "relay_state_too_long";
    public const string AssertionReplayed = "assertion_replayed";
    public const string IdpInitiatedNotAllowed = "idp_initiated_not_allowed";
    public const string RequestNotFromThisBrowser = "request_not_from_this_browser";
    public const string MemberDisabled = "member_disabled";
    public const string MemberUnknown = "member_unknown";
    public const string EmailMissing = "email_missing";
    public const string EmailDomainNotAllowed = "email_domain_not_allowed";
    public const string MemberEmailConflict = "member_email_conflict";
}
