using System.ComponentModel;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>
/// An independent XML encryptor: Debian's xmlsec1 (libxmlsec1 on OpenSSL), <c>apt-get install -y xmlsec1</c>. It
/// encrypts the response's Assertion in place, inside an EncryptedAssertion, from an EncryptedData template of
/// Entra's shape: KeyInfo in the dsig default namespace holding the xenc:EncryptedKey, whose KeyInfo names the SP
/// certificate by X509Data (xmlsec1 fills in the certificate, the wrapped key and the ciphertext).
/// Without xmlsec1 the tests that need it fail in CI and are ignored, with the reason, elsewhere.
/// </summary>
public static class Xmlsec1Encryptor
{
    public static XmlDocument EncryptAssertion(XmlDocument response, X509Certificate2 recipient, string contentAlgorithm = XmlEncConstants.Aes256Cbc,
        string keyTransport = XmlEncConstants.RsaOaepMgf1P)
    {
        var work = Directory.CreateTempSubdirectory("acs-xmlsec1-").FullName;
        try
        {
            var input = (XmlDocument)response.Clone();
            var assertion = ResponseMutations.Assertion(input);
            var wrapper = input.CreateElement("saml", "EncryptedAssertion", SamlConstants.AssertionNamespace);
            assertion.ParentNode!.ReplaceChild(wrapper, assertion);
            wrapper.AppendChild(assertion);

            File.WriteAllText(Path.Combine(work, "data.xml"), input.OuterXml, new UTF8Encoding(false));
            File.WriteAllText(Path.Combine(work, "sp.pem"), recipient.ExportCertificatePem());
            File.WriteAllText(Path.Combine(work, "template.xml"), Template(contentAlgorithm, keyTransport));
            var bits = contentAlgorithm switch
            {
                XmlEncConstants.Aes128Cbc or XmlEncConstants.Aes128Gcm => 128,
                XmlEncConstants.Aes192Cbc or XmlEncConstants.Aes192Gcm => 192,
                _ => 256,
            };
            var (exitCode, output) = Run(work, "--encrypt", "--pubkey-cert-pem", "sp.pem", "--session-key", $"aes-{bits}", "--xml-data", "data.xml",
                "--node-name", SamlConstants.AssertionNamespace + ":Assertion", "--output", "out.xml", "template.xml");
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"xmlsec1 --encrypt exited with {exitCode}: {output}");
            }

            var encrypted = new XmlDocument { PreserveWhitespace = true };
            encrypted.Load(Path.Combine(work, "out.xml"));
            return encrypted;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Fails in CI and ignores elsewhere when xmlsec1 is missing.</summary>
    public static void Require()
    {
        try
        {
            var (exitCode, output) = Run(Path.GetTempPath(), "--version");
            if (exitCode == 0 && output.Contains("xmlsec1", StringComparison.Ordinal))
            {
                return;
            }
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
        }

        SharedFolder.Missing("xmlsec1 is not installed (Debian: apt-get install -y xmlsec1).");
    }

    private static string Template(string contentAlgorithm, string keyTransport)
    {
        var digest = keyTransport == XmlEncConstants.RsaOaepMgf1P ? $"""<DigestMethod Algorithm="{XmlEncConstants.DigestSha1}"/>""" : "";
        return $"""
            <xenc:EncryptedData xmlns:xenc="{XmlEncConstants.Namespace}" Type="{XmlEncConstants.TypeElement}"><xenc:EncryptionMethod Algorithm="{contentAlgorithm}"/><KeyInfo xmlns="{SamlConstants.XmlDsigNamespace}"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="{keyTransport}">{digest}</xenc:EncryptionMethod><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>
            """;
    }

    private static (int ExitCode, string Output) Run(string workingDirectory, params string[] arguments) =>
        ProcessRunner.RunAsync("xmlsec1", arguments, TimeSpan.FromMinutes(1), workingDirectory).GetAwaiter().GetResult();
}
