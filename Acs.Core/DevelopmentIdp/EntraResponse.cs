using Acs.Core.Provisioning;
using Acs.Core.Saml.Xml;

namespace Acs.Core.DevelopmentIdp;

/// <summary>
/// What an Entra-shaped SAML Response says, field by field: what Entra ID posts after a sign-in, in Entra's element
/// order (Issuer, Status, then one Assertion with Subject, Conditions, AttributeStatement, AuthnStatement).
/// Optional parts are left out of the XML when null. <see cref="EntraResponseWriter"/> turns it into XML.
/// </summary>
public sealed record EntraResponse
{
    public const string ClaimTenantId = "http://schemas.microsoft.com/identity/claims/tenantid";
    public const string ClaimDisplayName = "http://schemas.microsoft.com/identity/claims/displayname";
    public const string ClaimName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    public const string ClaimIdentityProvider = "http://schemas.microsoft.com/identity/claims/identityprovider";
    public const string ClaimAuthnMethods = "http://schemas.microsoft.com/claims/authnmethodsreferences";
    public const string PasswordAuthnMethod = "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password";
    public const string PasswordAuthnContext = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";

    public required string ResponseId { get; init; }

    public required string AssertionId { get; init; }

    public required DateTimeOffset IssueInstant { get; init; }

    /// <summary>Null: <see cref="IssueInstant"/>.</summary>
    public DateTimeOffset? AssertionIssueInstant { get; init; }

    public string? Destination { get; init; }

    public string? InResponseTo { get; init; }

    public string? ResponseIssuer { get; init; }

    public required string AssertionIssuer { get; init; }

    public string StatusCode { get; init; } = SamlConstants.StatusSuccess;

    public string? SecondLevelStatusCode { get; init; }

    public string? StatusMessage { get; init; }

    /// <summary>The NameID element's content as XML, written as it is (escape text before putting it here).</summary>
    public required string NameIdXml { get; init; }

    public string? NameIdFormat { get; init; } = ClaimsMapper.EmailNameIdFormat;

    public string ConfirmationMethod { get; init; } = SamlConstants.BearerMethod;

    public string? ConfirmationInResponseTo { get; init; }

    public DateTimeOffset? ConfirmationNotBefore { get; init; }

    public DateTimeOffset? ConfirmationNotOnOrAfter { get; init; }

    public string? Recipient { get; init; }

    public bool IncludeConditions { get; init; } = true;

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotOnOrAfter { get; init; }

    /// <summary>One inner list per AudienceRestriction, each value an Audience.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AudienceRestrictions { get; init; } = [];

    /// <summary>Other conditions after the audience restrictions, as XML written as it is.</summary>
    public string ExtraConditionsXml { get; init; } = string.Empty;

    /// <summary>Claims in order; values of the same name become one Attribute with several values.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Attributes { get; init; } = [];

    public required DateTimeOffset AuthnInstant { get; init; }

    /// <summary>Null: <see cref="AssertionId"/>, as Entra does.</summary>
    public string? SessionIndex { get; init; }

    public DateTimeOffset? SessionNotOnOrAfter { get; init; }

    public string AuthnContextClassRef { get; init; } = PasswordAuthnContext;
}
