using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;
using Acs.Core.Certificates;
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
/// Builds an Entra-ID-shaped SAML Response (the layout of ../shared/peers/issue.mjs) for tenant "acme", then
/// signs it. Every property is a mutation point; post-signing mutations work on the returned XmlDocument.
/// </summary>
public sealed class TestResponseBuilder
{
    public const string EntraTenantId = "11111111-2222-3333-4444-555555555555";
    public const string IdpEntityId = "https://sts.windows.net/" + EntraTenantId + "/";
    public const string SpEntityId = "https://acme.statuspage.io/";
    public const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";
    public const string EmailFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

    public const string ClaimEmail = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    public const string ClaimGivenName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
    public const string ClaimSurname = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
    public const string ClaimName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    public const string ClaimObjectId = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    public const string ClaimTenantId = "http://schemas.microsoft.com/identity/claims/tenantid";
    public const string ClaimDisplayName = "http://schemas.microsoft.com/identity/claims/displayname";
    public const string ClaimIdentityProvider = "http://schemas.microsoft.com/identity/claims/identityprovider";
    public const string ClaimAuthnMethods = "http://schemas.microsoft.com/claims/authnmethodsreferences";
    public const string ClaimRole = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

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
        new(ClaimAuthnMethods, "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"),
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

    public XmlDocument BuildUnsigned()
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(UnsignedXml());
        return document;
    }

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

    private string UnsignedXml()
    {
        var xml = new StringBuilder();
        xml.Append(CultureInfo.InvariantCulture, $"""<samlp:Response xmlns:samlp="{SamlConstants.ProtocolNamespace}" ID="{ResponseId}" Version="2.0" IssueInstant="{Time(IssueInstant)}" """);
        if (Destination is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""Destination="{Escape(Destination)}" """);
        }

        if (ResponseInResponseTo is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""InResponseTo="{Escape(ResponseInResponseTo)}" """);
        }

        xml.Append('>');
        if (ResponseIssuer is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<Issuer xmlns="{SamlConstants.AssertionNamespace}">{Escape(ResponseIssuer)}</Issuer>""");
        }

        xml.Append(CultureInfo.InvariantCulture, $"""<samlp:Status><samlp:StatusCode Value="{Escape(StatusCode)}">""");
        if (SecondLevelStatusCode is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<samlp:StatusCode Value="{Escape(SecondLevelStatusCode)}"/>""");
        }

        xml.Append("</samlp:StatusCode>");
        if (StatusMessage is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<samlp:StatusMessage>{Escape(StatusMessage)}</samlp:StatusMessage>");
        }

        xml.Append("</samlp:Status>");
        xml.Append(CultureInfo.InvariantCulture, $"""<Assertion xmlns="{SamlConstants.AssertionNamespace}" ID="{AssertionId}" IssueInstant="{Time(AssertionIssueInstant ?? IssueInstant)}" Version="2.0">""");
        xml.Append(CultureInfo.InvariantCulture, $"<Issuer>{Escape(AssertionIssuer)}</Issuer>");
        xml.Append("<Subject><NameID");
        if (NameIdFormat is not null)
        {
            xml.Append(CultureInfo.InvariantCulture, $""" Format="{Escape(NameIdFormat)}" """);
        }

        xml.Append(CultureInfo.InvariantCulture, $">{NameIdInnerXml}</NameID>");
        xml.Append(CultureInfo.InvariantCulture, $"""<SubjectConfirmation Method="{Escape(ConfirmationMethod)}"><SubjectConfirmationData""");
        AppendAttribute(xml, "InResponseTo", ConfirmationInResponseTo);
        AppendAttribute(xml, "NotBefore", ConfirmationNotBefore is { } cnb ? Time(cnb) : null);
        AppendAttribute(xml, "NotOnOrAfter", ConfirmationNotOnOrAfter is { } cnoa ? Time(cnoa) : null);
        AppendAttribute(xml, "Recipient", Recipient);
        xml.Append("/></SubjectConfirmation></Subject>");
        if (IncludeConditions)
        {
            xml.Append("<Conditions");
            AppendAttribute(xml, "NotBefore", NotBefore is { } nb ? Time(nb) : null);
            AppendAttribute(xml, "NotOnOrAfter", NotOnOrAfter is { } noa ? Time(noa) : null);
            xml.Append('>');
            foreach (var restriction in AudienceRestrictions)
            {
                xml.Append("<AudienceRestriction>");
                foreach (var audience in restriction)
                {
                    xml.Append(CultureInfo.InvariantCulture, $"<Audience>{Escape(audience)}</Audience>");
                }

                xml.Append("</AudienceRestriction>");
            }

            xml.Append(ExtraConditionsXml);
            xml.Append("</Conditions>");
        }

        xml.Append("<AttributeStatement>");
        foreach (var group in Attributes.GroupBy(a => a.Key))
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<Attribute Name="{Escape(group.Key)}">""");
            foreach (var value in group)
            {
                xml.Append(CultureInfo.InvariantCulture, $"<AttributeValue>{Escape(value.Value)}</AttributeValue>");
            }

            xml.Append("</Attribute>");
        }

        xml.Append("</AttributeStatement>");
        xml.Append(CultureInfo.InvariantCulture, $"""<AuthnStatement AuthnInstant="{Time(IssueInstant.AddSeconds(-2))}" SessionIndex="{AssertionId}" """);
        AppendAttribute(xml, "SessionNotOnOrAfter", SessionNotOnOrAfter is { } snoa ? Time(snoa) : null);
        xml.Append("><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>");
        xml.Append("</Assertion></samlp:Response>");
        return xml.ToString();
    }

    private static void AppendAttribute(StringBuilder xml, string name, string? value)
    {
        if (value is not null)
        {
            xml.Append(' ').Append(name).Append("=\"").Append(Escape(value)).Append('"');
        }
    }

    private static string Escape(string value) => SecurityElement.Escape(value);

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
