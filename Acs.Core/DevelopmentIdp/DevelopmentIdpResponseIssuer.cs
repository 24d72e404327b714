using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Acs.Core.Provisioning;
using Acs.Core.Saml.Xml;

namespace Acs.Core.DevelopmentIdp;

public enum DevelopmentSignMode
{
    Assertion,
    Response,
    Both,
}

/// <summary>Who the development IdP signs in, and how.</summary>
public sealed record DevelopmentSignIn(
    string Email,
    string FirstName,
    string LastName,
    string? Role,
    DevelopmentSignMode SignMode,
    bool Tamper,
    string? InResponseTo);

/// <summary>
/// Issues signed, Entra-shaped SAML Responses for local development and the browser tests — what Entra's My Apps
/// tile posts. Never mapped in Production.
/// </summary>
public sealed class DevelopmentIdpResponseIssuer(RSA signingKey, X509Certificate2 certificate, TimeProvider timeProvider)
{
    public const string EntityId = "urn:acs:development-idp";
    private const string EntraTenantId = "00000000-0000-4000-8000-00000000dev0";

    public X509Certificate2 Certificate => certificate;

    public string Issue(DevelopmentSignIn signIn, string spEntityId, string acsUrl)
    {
        var now = timeProvider.GetUtcNow();
        var document = EntraResponseWriter.Write(Describe(signIn, spEntityId, acsUrl, now));
        var response = document.DocumentElement!;
        var assertion = (XmlElement)response.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace)[0]!;
        if (signIn.SignMode is DevelopmentSignMode.Assertion or DevelopmentSignMode.Both)
        {
            EntraResponseSigner.Sign(assertion, signingKey, certificate);
        }

        if (signIn.SignMode is DevelopmentSignMode.Response or DevelopmentSignMode.Both)
        {
            EntraResponseSigner.Sign(response, signingKey, certificate);
        }

        if (signIn.Tamper)
        {
            // Changes signed content after signing, as an attacker editing the form would.
            foreach (XmlElement value in assertion.GetElementsByTagName("AttributeValue", SamlConstants.AssertionNamespace))
            {
                if (value.InnerText == signIn.Email)
                {
                    value.InnerText = "mallory@contoso.com";
                }
            }
        }

        return Convert.ToBase64String(Encoding.UTF8.GetBytes(document.OuterXml));
    }

    private static EntraResponse Describe(DevelopmentSignIn signIn, string spEntityId, string acsUrl, DateTimeOffset now)
    {
        List<KeyValuePair<string, string>> attributes =
        [
            new(EntraResponse.ClaimTenantId, EntraTenantId),
            new(ClaimsMapper.ObjectIdentifier, ObjectIdFor(signIn.Email)),
            new(EntraResponse.ClaimDisplayName, $"{signIn.FirstName} {signIn.LastName}".Trim()),
            new(ClaimsMapper.EmailAddress, signIn.Email),
            new(ClaimsMapper.GivenName, signIn.FirstName),
            new(ClaimsMapper.Surname, signIn.LastName),
            new(EntraResponse.ClaimName, signIn.Email),
        ];
        if (!string.IsNullOrWhiteSpace(signIn.Role))
        {
            attributes.Add(new(ClaimsMapper.Role, signIn.Role));
        }

        return new EntraResponse
        {
            ResponseId = "_" + Guid.NewGuid().ToString("D"),
            AssertionId = "_" + Guid.NewGuid().ToString("D"),
            IssueInstant = now,
            Destination = acsUrl,
            InResponseTo = signIn.InResponseTo,
            ResponseIssuer = EntityId,
            AssertionIssuer = EntityId,
            NameIdXml = SecurityElement.Escape(signIn.Email),
            ConfirmationInResponseTo = signIn.InResponseTo,
            ConfirmationNotOnOrAfter = now.AddMinutes(5),
            Recipient = acsUrl,
            NotBefore = now.AddMinutes(-5),
            NotOnOrAfter = now.AddHours(1),
            AudienceRestrictions = [[spEntityId]],
            Attributes = attributes,
            AuthnInstant = now,
        };
    }

    /// <summary>A stable object id per e-mail, as Entra's objectidentifier is stable per user.</summary>
    private static string ObjectIdFor(string email) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())).AsSpan(0, 16)).ToString("D");
}
