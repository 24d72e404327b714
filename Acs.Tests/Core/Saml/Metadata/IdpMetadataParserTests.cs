using System.Text;
using Acs.Core.Saml.Metadata;
using Acs.Core.Tenants;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Saml.Metadata;

public sealed class IdpMetadataParserTests
{
    [Test]
    public void Parse_EntraMetadata_ReadsEntityIdRedirectUrlAndOnlyTheIdpSigningCertificates()
    {
        var entra = Guid.NewGuid();
        var first = TestCertificates.CreateValid("One");
        var second = TestCertificates.CreateValid("Two");

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(EntraMetadata.Build(entra, first, second)));

        Assert.That(result.IsValid, Is.True, result.Message);
        Assert.That(result.Metadata!.EntityId, Is.EqualTo($"https://sts.windows.net/{entra}/"));
        Assert.That(result.Metadata.SsoTargetUrl, Is.EqualTo($"https://login.microsoftonline.com/{entra}/saml2"));
        Assert.That(result.Metadata.SigningCertificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=One", "CN=Two" }));
    }

    [Test]
    public void Parse_SameCertificateTwice_TrustsItOnce()
    {
        var certificate = TestCertificates.CreateValid();

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(EntraMetadata.Build(Guid.NewGuid(), certificate, certificate)));

        Assert.That(result.Metadata!.SigningCertificates, Has.Count.EqualTo(1));
    }

    [Test]
    public void Parse_KeyDescriptorWithoutUse_CountsAsSigning_ButEncryptionOnlyDoesNot()
    {
        var signing = TestCertificates.CreateValid("Both");
        var encryption = TestCertificates.CreateValid("Encryption");
        var xml = Metadata($"""
            <KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{Convert.ToBase64String(signing.RawData)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
            <KeyDescriptor use="encryption"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{Convert.ToBase64String(encryption.RawData)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
            """);

        var result = IdpMetadataParser.Parse(xml);

        Assert.That(result.Metadata!.SigningCertificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=Both" }));
    }

    [Test]
    public void Parse_EntitiesDescriptorWithOneEntity_IsAccepted()
    {
        var inner = EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()).Replace("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "", StringComparison.Ordinal);
        var xml = $"<EntitiesDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\">{inner}</EntitiesDescriptor>";

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(xml));

        Assert.That(result.IsValid, Is.True, result.Message);
    }

    [Test]
    public void Parse_HttpSignOnUrl_IsRefused()
    {
        var xml = EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid())
            .Replace("Location=\"https://login", "Location=\"http://login", StringComparison.Ordinal);

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(xml));

        Assert.That(result.ErrorCode, Is.EqualTo(IdpMetadataErrorCodes.SsoUrlInvalid));
    }

    [Test]
    public void Parse_SigningCertificateThatIsNotOne_NamesTheCertificateAndTheParsersCode()
    {
        var xml = Metadata("""
            <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>bm90IGEgY2VydGlmaWNhdGU=</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
            """);

        var result = IdpMetadataParser.Parse(xml);

        Assert.That(result.ErrorCode, Is.EqualTo("certificate_malformed"));
        Assert.That(result.Message, Does.StartWith("Signing certificate 1 of the metadata"));
    }

    [Test]
    public void Parse_EntityIdMissing_IsRefused()
    {
        var xml = Encoding.UTF8.GetString(Metadata("")).Replace("entityID=\"https://idp.example.com/\"", "", StringComparison.Ordinal);

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(xml));

        Assert.That(result.ErrorCode, Is.EqualTo(IdpMetadataErrorCodes.EntityIdInvalid));
    }

    [Test]
    public void Parse_SpMetadata_HasNoIdpDescriptor()
    {
        const string xml = """
            <EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://acme.statuspage.io/">
              <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" />
            </EntityDescriptor>
            """;

        var result = IdpMetadataParser.Parse(Encoding.UTF8.GetBytes(xml));

        Assert.That(result.ErrorCode, Is.EqualTo(IdpMetadataErrorCodes.NoIdpDescriptor));
    }

    private static byte[] Metadata(string keyDescriptors) => Encoding.UTF8.GetBytes($"""
        <EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/">
          <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
            {keyDescriptors}
            <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso" />
          </IDPSSODescriptor>
        </EntityDescriptor>
        """);
}
