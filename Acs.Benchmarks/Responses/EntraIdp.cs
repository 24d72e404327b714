using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Benchmarks.Responses;

public enum SignMode
{
    Assertion,
    Response,
    Both,
}

/// <summary>Who the response is for: the tenant's site and the person signing in.</summary>
public sealed record ResponseTarget(string SpEntityId, string AcsUrl, string Email, string ObjectId, string GivenName, string Surname);

/// <summary>
/// A stand-in for Microsoft Entra ID: an RSA-2048 key with a self-signed certificate that issues Entra-shaped
/// responses (the layout of the peers' issue.mjs), signed RSA-SHA256 with exclusive c14n and the enveloped transform.
/// Kept separate from the test IdP so benchmarks do not depend on the test project.
/// </summary>
public sealed class EntraIdp
{
    public const string EntraTenantId = "11111111-2222-3333-4444-555555555555";
    public const string IdpEntityId = "https://sts.windows.net/" + EntraTenantId + "/";
    public const string GroupsClaim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";

    private readonly RSA _key;

    private EntraIdp(RSA key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public static EntraIdp Create()
    {
        var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Microsoft Azure Federated SSO Certificate", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        return new EntraIdp(rsa, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    public string CertificatePem() => Certificate.ExportCertificatePem();

    public RSA Key => _key;

    /// <summary>The response's bytes as they would be posted (before base64). <paramref name="groups"/> extra group
    /// object IDs make the large (~50 KB) variant, as Entra sends for users in many groups.</summary>
    /// <param name="confirmationLifetime">SubjectConfirmationData/@NotOnOrAfter after <paramref name="now"/>; Entra
    /// uses 5 minutes. The files the peer libraries read (on the real clock) need longer to outlive the run.</param>
    public byte[] Issue(ResponseTarget target, SignMode sign, DateTimeOffset now, int groups = 0, TimeSpan? confirmationLifetime = null)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(UnsignedXml(target, now, groups, confirmationLifetime ?? TimeSpan.FromMinutes(5)));
        var response = document.DocumentElement!;
        var assertion = (XmlElement)response.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace)[0]!;
        if (sign is SignMode.Assertion or SignMode.Both)
        {
            SignElement(assertion);
        }

        if (sign is SignMode.Response or SignMode.Both)
        {
            SignElement(response);
        }

        return Encoding.UTF8.GetBytes(document.OuterXml);
    }

    private void SignElement(XmlElement element)
    {
        var document = element.OwnerDocument;
        var signedXml = new SignedXml(document) { SigningKey = _key };
        signedXml.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signedXml.SignedInfo.SignatureMethod = SamlConstants.RsaSha256;
        var reference = new Reference("#" + element.GetAttribute("ID")) { DigestMethod = SamlConstants.DigestSha256 };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signedXml.AddReference(reference);
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(Certificate));
        signedXml.KeyInfo = keyInfo;
        signedXml.ComputeSignature();
        var signature = (XmlElement)document.ImportNode(signedXml.GetXml(), deep: true);
        var issuer = element.ChildNodes.OfType<XmlElement>().First(e => e.LocalName == "Issuer");
        element.InsertAfter(signature, issuer);
    }

    private static string UnsignedXml(ResponseTarget target, DateTimeOffset now, int groups, TimeSpan confirmationLifetime)
    {
        var responseId = "_" + Guid.NewGuid().ToString("D");
        var assertionId = "_" + Guid.NewGuid().ToString("D");
        var xml = new StringBuilder(8 * 1024 + groups * 100);
        xml.Append(CultureInfo.InvariantCulture,
            $"""<samlp:Response xmlns:samlp="{SamlConstants.ProtocolNamespace}" ID="{responseId}" Version="2.0" IssueInstant="{Time(now)}" Destination="{E(target.AcsUrl)}">""");
        xml.Append(CultureInfo.InvariantCulture, $"""<Issuer xmlns="{SamlConstants.AssertionNamespace}">{IdpEntityId}</Issuer>""");
        xml.Append(CultureInfo.InvariantCulture, $"""<samlp:Status><samlp:StatusCode Value="{SamlConstants.StatusSuccess}"/></samlp:Status>""");
        xml.Append(CultureInfo.InvariantCulture,
            $"""<Assertion xmlns="{SamlConstants.AssertionNamespace}" ID="{assertionId}" IssueInstant="{Time(now)}" Version="2.0">""");
        xml.Append(CultureInfo.InvariantCulture, $"<Issuer>{IdpEntityId}</Issuer>");
        xml.Append(CultureInfo.InvariantCulture,
            $"""<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{E(target.Email)}</NameID>""");
        xml.Append(CultureInfo.InvariantCulture,
            $"""<SubjectConfirmation Method="{SamlConstants.BearerMethod}"><SubjectConfirmationData NotOnOrAfter="{Time(now + confirmationLifetime)}" Recipient="{E(target.AcsUrl)}"/></SubjectConfirmation></Subject>""");
        xml.Append(CultureInfo.InvariantCulture,
            $"""<Conditions NotBefore="{Time(now.AddMinutes(-5))}" NotOnOrAfter="{Time(now.AddHours(1))}"><AudienceRestriction><Audience>{E(target.SpEntityId)}</Audience></AudienceRestriction></Conditions>""");
        xml.Append("<AttributeStatement>");
        Attribute(xml, "http://schemas.microsoft.com/identity/claims/tenantid", EntraTenantId);
        Attribute(xml, "http://schemas.microsoft.com/identity/claims/objectidentifier", target.ObjectId);
        Attribute(xml, "http://schemas.microsoft.com/identity/claims/identityprovider", IdpEntityId);
        Attribute(xml, "http://schemas.microsoft.com/claims/authnmethodsreferences",
            "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password");
        Attribute(xml, "http://schemas.microsoft.com/identity/claims/displayname", target.GivenName + " " + target.Surname);
        Attribute(xml, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", target.Email);
        Attribute(xml, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", target.GivenName);
        Attribute(xml, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", target.Surname);
        Attribute(xml, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", target.Email);
        if (groups > 0)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""<Attribute Name="{GroupsClaim}">""");
            for (var i = 0; i < groups; i++)
            {
                xml.Append(CultureInfo.InvariantCulture, $"<AttributeValue>{GroupId(i)}</AttributeValue>");
            }

            xml.Append("</Attribute>");
        }

        xml.Append("</AttributeStatement>");
        xml.Append(CultureInfo.InvariantCulture,
            $"""<AuthnStatement AuthnInstant="{Time(now.AddSeconds(-2))}" SessionIndex="{assertionId}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>""");
        xml.Append("</Assertion></samlp:Response>");
        return xml.ToString();
    }

    private static void Attribute(StringBuilder xml, string name, string value) =>
        xml.Append(CultureInfo.InvariantCulture, $"""<Attribute Name="{name}"><AttributeValue>{E(value)}</AttributeValue></Attribute>""");

    private static string GroupId(int i) => new Guid(i, 0x1234, 0x5678, [1, 2, 3, 4, 5, 6, 7, 8]).ToString("D");

    private static string E(string value) => SecurityElement.Escape(value);

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
