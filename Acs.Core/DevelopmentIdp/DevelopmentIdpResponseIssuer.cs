using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
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
        var responseId = "_" + Guid.NewGuid().ToString("D");
        var assertionId = "_" + Guid.NewGuid().ToString("D");
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(BuildXml(signIn, spEntityId, acsUrl, now, responseId, assertionId));

        var response = document.DocumentElement!;
        var assertion = (XmlElement)response.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace)[0]!;
        if (signIn.SignMode is DevelopmentSignMode.Assertion or DevelopmentSignMode.Both)
        {
            Sign(assertion, assertionId);
        }

        if (signIn.SignMode is DevelopmentSignMode.Response or DevelopmentSignMode.Both)
        {
            Sign(response, responseId);
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

    private void Sign(XmlElement element, string id)
    {
        var signedXml = new SignedXml(element) { SigningKey = signingKey };
        signedXml.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signedXml.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        var reference = new Reference("#" + id) { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(reference);
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(certificate));
        signedXml.KeyInfo = keyInfo;
        signedXml.ComputeSignature();

        // Like Entra: the signature follows the Issuer.
        var issuer = element.GetElementsByTagName("Issuer", SamlConstants.AssertionNamespace)[0]!;
        element.InsertAfter(element.OwnerDocument.ImportNode(signedXml.GetXml(), true), issuer);
    }

    private static string BuildXml(DevelopmentSignIn signIn, string spEntityId, string acsUrl, DateTimeOffset now, string responseId,
        string assertionId)
    {
        var builder = new StringBuilder();
        using (var w = XmlWriter.Create(builder, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            const string p = SamlConstants.ProtocolNamespace;
            const string a = SamlConstants.AssertionNamespace;
            w.WriteStartElement("samlp", "Response", p);
            w.WriteAttributeString("ID", responseId);
            w.WriteAttributeString("Version", "2.0");
            w.WriteAttributeString("IssueInstant", Time(now));
            w.WriteAttributeString("Destination", acsUrl);
            if (signIn.InResponseTo is not null)
            {
                w.WriteAttributeString("InResponseTo", signIn.InResponseTo);
            }

            w.WriteElementString("Issuer", a, EntityId);
            w.WriteStartElement("samlp", "Status", p);
            w.WriteStartElement("samlp", "StatusCode", p);
            w.WriteAttributeString("Value", SamlConstants.StatusSuccess);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("Assertion", a);
            w.WriteAttributeString("ID", assertionId);
            w.WriteAttributeString("IssueInstant", Time(now));
            w.WriteAttributeString("Version", "2.0");
            w.WriteElementString("Issuer", a, EntityId);
            w.WriteStartElement("Subject", a);
            w.WriteStartElement("NameID", a);
            w.WriteAttributeString("Format", ClaimsMapper.EmailNameIdFormat);
            w.WriteString(signIn.Email);
            w.WriteEndElement();
            w.WriteStartElement("SubjectConfirmation", a);
            w.WriteAttributeString("Method", SamlConstants.BearerMethod);
            w.WriteStartElement("SubjectConfirmationData", a);
            if (signIn.InResponseTo is not null)
            {
                w.WriteAttributeString("InResponseTo", signIn.InResponseTo);
            }

            w.WriteAttributeString("NotOnOrAfter", Time(now.AddMinutes(5)));
            w.WriteAttributeString("Recipient", acsUrl);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("Conditions", a);
            w.WriteAttributeString("NotBefore", Time(now.AddMinutes(-5)));
            w.WriteAttributeString("NotOnOrAfter", Time(now.AddHours(1)));
            w.WriteStartElement("AudienceRestriction", a);
            w.WriteElementString("Audience", a, spEntityId);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("AttributeStatement", a);
            Attribute(w, "http://schemas.microsoft.com/identity/claims/tenantid", EntraTenantId);
            Attribute(w, ClaimsMapper.ObjectIdentifier, ObjectIdFor(signIn.Email));
            Attribute(w, "http://schemas.microsoft.com/identity/claims/displayname", $"{signIn.FirstName} {signIn.LastName}".Trim());
            Attribute(w, ClaimsMapper.EmailAddress, signIn.Email);
            Attribute(w, ClaimsMapper.GivenName, signIn.FirstName);
            Attribute(w, ClaimsMapper.Surname, signIn.LastName);
            Attribute(w, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", signIn.Email);
            if (!string.IsNullOrWhiteSpace(signIn.Role))
            {
                Attribute(w, ClaimsMapper.Role, signIn.Role);
            }

            w.WriteEndElement();

            w.WriteStartElement("AuthnStatement", a);
            w.WriteAttributeString("AuthnInstant", Time(now));
            w.WriteAttributeString("SessionIndex", assertionId);
            w.WriteStartElement("AuthnContext", a);
            w.WriteElementString("AuthnContextClassRef", a, "urn:oasis:names:tc:SAML:2.0:ac:classes:Password");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }

        return builder.ToString();
    }

    private static void Attribute(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("Attribute", SamlConstants.AssertionNamespace);
        w.WriteAttributeString("Name", name);
        w.WriteElementString("AttributeValue", SamlConstants.AssertionNamespace, value);
        w.WriteEndElement();
    }

    /// <summary>A stable object id per e-mail, as Entra's objectidentifier is stable per user.</summary>
    private static string ObjectIdFor(string email) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())).AsSpan(0, 16)).ToString("D");

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
