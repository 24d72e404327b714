using System.Text;
using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Validation;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>Look-ups and edits inside an EncryptedAssertion, for the tampering tests.</summary>
public abstract class EncryptedAssertionTestBase : SamlValidatorTestBase
{
    protected static XmlNamespaceManager Namespaces(XmlDocument document)
    {
        var namespaces = ResponseMutations.Namespaces(document);
        namespaces.AddNamespace("xenc", XmlEncConstants.Namespace);
        namespaces.AddNamespace("xenc11", XmlEncConstants.Namespace11);
        return namespaces;
    }

    protected static XmlElement Select(XmlDocument document, string xpath) =>
        (XmlElement?)document.SelectSingleNode(xpath, Namespaces(document)) ?? throw new InvalidOperationException("No match: " + xpath);

    protected static XmlElement EncryptedAssertion(XmlDocument document) => Select(document, "/samlp:Response/saml:EncryptedAssertion");

    protected static XmlElement ContentCipherValue(XmlDocument document) =>
        Select(document, "//xenc:EncryptedData/xenc:CipherData/xenc:CipherValue");

    protected static XmlElement WrappedKeyCipherValue(XmlDocument document) =>
        Select(document, "//xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue");

    /// <summary>Flips one bit of the decoded CipherValue at <paramref name="index"/> (negative: from the end).</summary>
    protected static void FlipBit(XmlElement cipherValue, int index, int bit = 0)
    {
        var bytes = Convert.FromBase64String(cipherValue.InnerText);
        bytes[index < 0 ? bytes.Length + index : index] ^= (byte)(1 << bit);
        cipherValue.InnerText = Convert.ToBase64String(bytes);
    }

    protected static byte[] Bytes(XmlDocument document) => Encoding.UTF8.GetBytes(document.OuterXml);

    /// <summary>A response whose EncryptedAssertion holds exactly <paramref name="plaintext"/>, signed as <paramref name="mode"/> says.</summary>
    protected static XmlDocument WithPlaintext(string plaintext, SignMode mode = SignMode.None, EncryptionOptions? options = null, TestSpKeys? recipient = null)
    {
        var builder = new TestResponseBuilder();
        var document = EncryptedResponses.BuildSignedAssertion(builder, SignMode.None);
        var assertion = ResponseMutations.Assertion(document);
        var encrypted = TestEncryptor.Encrypt(document, Encoding.UTF8.GetBytes(plaintext), recipient ?? TestSpKeys.Default, options);
        assertion.ParentNode!.ReplaceChild(encrypted, assertion);
        return EncryptedResponses.SignResponse(document, builder, mode);
    }

    /// <summary>The signed assertion's XML as the IdP would encrypt it.</summary>
    protected static (TestResponseBuilder Builder, XmlElement Assertion) SignedAssertion()
    {
        var builder = new TestResponseBuilder();
        var document = EncryptedResponses.BuildSignedAssertion(builder, SignMode.Assertion);
        return (builder, ResponseMutations.Assertion(document));
    }

    protected static SamlValidationResult ValidateEncrypted(XmlDocument document, SamlValidationSettings? settings = null) =>
        Validate(document, settings ?? EncryptedResponses.Settings());

    /// <summary>The uniform decryption refusal, and that the login event names <paramref name="reason"/>.</summary>
    protected static void AssertDecryptionFailed(SamlValidationResult result, string reason)
    {
        AssertRefused(result, SamlErrorCodes.AssertionDecryptionFailed);
        Assert.That(result.Failure!.Message, Does.StartWith(AssertionDecryption.Message));
        Assert.That(result.Failure.Message, Does.Contain(reason));
        Assert.That(result.Failure.AssertionId, Is.Null, "nothing unverified reaches the log");
        Assert.That(result.Failure.NameId, Is.Null, "nothing unverified reaches the log");
    }
}
