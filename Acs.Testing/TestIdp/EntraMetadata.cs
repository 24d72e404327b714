using System.Security.Cryptography.X509Certificates;
using Acs.Testing.Certificates;

namespace Acs.Testing.TestIdp;

/// <summary>A Federation Metadata XML shaped like Entra's: signature, a WS-Federation RoleDescriptor, then the IDPSSODescriptor.</summary>
public static class EntraMetadata
{
    public static string Build(Guid entraTenant, params X509Certificate2[] signing)
    {
        var keys = string.Concat(signing.Select(c => $"""
            <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{Convert.ToBase64String(c.RawData)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
            """));
        // The RoleDescriptor carries a certificate the parser must not pick up: it reads the IDPSSODescriptor only.
        var roleDescriptorCertificate = Convert.ToBase64String(TestCertificates.CreateValid("RoleDescriptor only").RawData);
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <EntityDescriptor ID="_7d1c2a3b-0000-4000-8000-000000000001" entityID="https://sts.windows.net/{entraTenant}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
              <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" /><Reference URI="#_7d1c2a3b-0000-4000-8000-000000000001"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue></Signature>
              <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
                <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{roleDescriptorCertificate}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
                <fed:ClaimTypesOffered><auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Name</auth:DisplayName></auth:ClaimType></fed:ClaimTypesOffered>
                <fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://login.microsoftonline.com/{entraTenant}/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint>
              </RoleDescriptor>
              <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                {keys}
                <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
                <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
                <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
              </IDPSSODescriptor>
            </EntityDescriptor>
            """;
    }
}
