using System.Security;
using System.Text;
using System.Xml;
using Acs.Core.Certificates;
using Acs.Core.DevelopmentIdp;
using Acs.Core.Provisioning;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Testing.TestIdp;

public enum SignMode
{
    None,
    Assertion,
    Response,
    Both,
}

/// <summary>
/// Builds an Entra-ID-shaped SAML Response (Core's <see cref="EntraResponse"/>, the layout of ../shared/peers/issue.mjs)
/// for tenant "acme", then signs it. Every property is a mutation point; post-signing mutations work on the returned
/// XmlDocument.
/// </summary>
public sealed class TestResponseBuilder
{
    public const string EntraTenantId = "11111111-2222-3333-4444-555555555555";
    public const string IdpEntityId = "https://sts.windows.net/" + EntraTenantId + "/";
    public const string SpEntityId = "https://acme.statuspage.io/";
    public const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";
    public const string EmailFormat = ClaimsMapper.EmailNameIdFormat;

    public const string ClaimEmail = ClaimsMapper.EmailAddress;
    public const string ClaimGivenName = ClaimsMapper.GivenName;
    public const string ClaimSurname = ClaimsMapper.Surname;
    public const string ClaimName = EntraResponse.ClaimName;
    public const string ClaimObjectId = ClaimsMapper.ObjectIdentifier;
    public const string ClaimTenantId = EntraResponse.ClaimTenantId;
    public const string ClaimDisplayName = EntraResponse.ClaimDisplayName;
    public const string ClaimIdentityProvider = EntraResponse.ClaimIdentityProvider;
    public const string ClaimAuthnMethods = EntraResponse.ClaimAuthnMethods;
    public const string ClaimRole = ClaimsMapper.Role;

    /// <summary>The frozen "now" of every test.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public string ResponseId { get; set; } = "_" + Guid.NewGuid().ToString("D");

    public string AssertionId { get; set; } = "_" + Guid.NewGuid().ToString("D");

    public DateTimeOffset IssueInstant { get; set; } = Now;

    public DateTimeOffset? AssertionIssueInstant { get; set; }

    public string? Destination { get; set; } = AcsUrl;

    public string? ResponseIssuer { get; set; } = IdpEntityId;

    public string AssertionIssuer { get; set; } = IdpEntityId;

    public string StatusCode { get; set; } = SamlConstants.StatusSuccess;

    public string? SecondLevelStatusCode { get; set; }

    public string? StatusMessage { get; set; }

    public string? ResponseInResponseTo { get; set; }

    public string? ConfirmationInResponseTo { get; set; }

    /// <summary>Raw XML placed inside the NameID element (escaped text by default via <see cref="NameId"/>).</summary>
    public string NameIdInnerXml { get; set; } = "jane.doe@contoso.test";

    public string NameId { set => NameIdInnerXml = SecurityElement.Escape(value); }

    public string? NameIdFormat { get; set; } = EmailFormat;

    public string ConfirmationMethod { get; set; } = SamlConstants.BearerMethod;

    public string? Recipient { get; set; } = AcsUrl;

    public DateTimeOffset? ConfirmationNotBefore { get; set; }

    public DateTimeOffset? ConfirmationNotOnOrAfter { get; set; } = Now.AddMinutes(5);

    public bool IncludeConditions { get; set; } = true;

    public DateTimeOffset? NotBefore { get; set; } = Now.AddMinutes(-5);

    public DateTimeOffset? NotOnOrAfter { get; set; } = Now.AddHours(1);

    /// <summary>One inner list per AudienceRestriction.</summary>
    public List<List<string>> AudienceRestrictions { get; } = [[SpEntityId]];

    /// <summary>Shorthand for a single AudienceRestriction with one Audience.</summary>
    public string Audience
    {
        set
        {
            AudienceRestrictions.Clear();
            AudienceRestrictions.Add([value]);
        }
    }

    /// <summary>Raw XML placed inside Conditions after the audience restrictions (other conditions).</summary>
    public string ExtraConditionsXml { get; set; } = string.Empty;

    public List<KeyValuePair<string, string>> Attributes { get; } =
    [
        new(ClaimTenantId, EntraTenantId),
        new(ClaimObjectId, "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f"),
        new(ClaimIdentityProvider, IdpEntityId),
        new(ClaimAuthnMethods, EntraResponse.PasswordAuthnMethod),
        new(ClaimDisplayName, "Jane Doe"),
        new(ClaimEmail, "jane.doe@contoso.test"),
        new(ClaimGivenName, "Jane"),
        new(ClaimSurname, "Doe"),
        new(ClaimName, "jane.doe@contoso.test"),
    ];

    public DateTimeOffset? SessionNotOnOrAfter { get; set; }

    public SignMode Sign { get; set; } = SignMode.Assertion;

    public SignatureOptions AssertionSignature { get; set; } = new();

    public SignatureOptions ResponseSignature { get; set; } = new();

    /// <summary>Signs both parts with these options (algorithm tests).</summary>
    public SignatureOptions Signature
    {
        set
        {
            AssertionSignature = value;
            ResponseSignature = value;
        }
    }

    public static SamlValidationSettings Settings(params TrustedCertificate[] certificates) =>
        new(SpEntityId, AcsUrl, IdpEntityId, certificates.Length == 0 ? [TestIdpKeys.Default.Trusted] : certificates);

    /// <summary>The response this builder describes, for mutations the properties do not offer.</summary>
    public EntraResponse Describe() => new()
    {
        ResponseId = ResponseId,
        AssertionId = AssertionId,
        IssueInstant = IssueInstant,
        AssertionIssueInstant = AssertionIssueInstant,
        Destination = Destination,
        InResponseTo = ResponseInResponseTo,
        ResponseIssuer = ResponseIssuer,
        AssertionIssuer = AssertionIssuer,
        StatusCode = StatusCode,
        SecondLevelStatusCode = SecondLevelStatusCode,
        StatusMessage = StatusMessage,
        NameIdXml = NameIdInnerXml,
        NameIdFormat = NameIdFormat,
        ConfirmationMethod = ConfirmationMethod,
        ConfirmationInResponseTo = ConfirmationInResponseTo,
        ConfirmationNotBefore = ConfirmationNotBefore,
        ConfirmationNotOnOrAfter = ConfirmationNotOnOrAfter,
        Recipient = Recipient,
        IncludeConditions = IncludeConditions,
        NotBefore = NotBefore,
        NotOnOrAfter = NotOnOrAfter,
        AudienceRestrictions = AudienceRestrictions,
        ExtraConditionsXml = ExtraConditionsXml,
        Attributes = Attributes,
        AuthnInstant = IssueInstant.AddSeconds(-2),
        SessionNotOnOrAfter = SessionNotOnOrAfter,
    };

    public XmlDocument BuildUnsigned() => EntraResponseWriter.Write(Describe());

    public XmlDocument Build()
    {
        var document = BuildUnsigned();
        var response = document.DocumentElement!;
        var assertion = (XmlElement)response.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace)[0]!;
        if (Sign is SignMode.Assertion or SignMode.Both)
        {
            TestSigner.Sign(assertion, AssertionSignature);
        }

        if (Sign is SignMode.Response or SignMode.Both)
        {
            TestSigner.Sign(response, ResponseSignature);
        }

        return document;
    }

    public byte[] BuildBytes() => ToBytes(Build());

    public string BuildBase64() => Convert.ToBase64String(BuildBytes());

    public static byte[] ToBytes(XmlDocument document) => Encoding.UTF8.GetBytes(document.OuterXml);

    public static string Time(DateTimeOffset time) => EntraResponseWriter.FormatTime(time);
}
