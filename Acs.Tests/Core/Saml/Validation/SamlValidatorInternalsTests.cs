using System.Security.Cryptography;
using System.Xml;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Saml.Validation;

[TestFixture]
public sealed class SamlValidatorInternalsTests
{
    [Test]
    public void GetIdElement_WithUnknownIdOrForeignDocument_ThrowsInsteadOfSearchingElsewhere()
    {
        var document = new TestResponseBuilder().Build();
        var assertion = ResponseMutations.Assertion(document);
        var index = new Dictionary<string, XmlElement> { [assertion.GetAttribute("ID")] = assertion };
        var signedXml = new SamlSignedXml(document, index);

        Assert.That(signedXml.GetIdElement(document, assertion.GetAttribute("ID")), Is.SameAs(assertion));
        Assert.That(signedXml.ResolvedElement, Is.SameAs(assertion));
        Assert.Throws<CryptographicException>(() => signedXml.GetIdElement(document, "_unknown"));
        Assert.Throws<CryptographicException>(() => signedXml.GetIdElement(new XmlDocument(), assertion.GetAttribute("ID")));
    }

    [Test]
    public void Validate_FromManyThreadsWithOneCachedKey_AcceptsEveryResponse()
    {
        var validator = new SamlResponseValidator(new FakeTimeProvider(TestResponseBuilder.Now));
        var settings = TestResponseBuilder.Settings();
        var responses = Enumerable.Range(0, 8).Select(i => new TestResponseBuilder { Sign = (SignMode)(1 + (i % 3)) }.BuildBase64()).ToArray();
        var failures = 0;

        Parallel.For(0, 400, i =>
        {
            if (!validator.Validate(responses[i % responses.Length], settings).IsValid)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void ErrorCodes_AreAllDocumentedForAdministrators()
    {
        var root = SharedFolder.RepositoryRoot();
        Assert.That(root, Is.Not.Null, "repository root (AcsService.sln) not found");
        var doc = File.ReadAllText(Path.Combine(root!, "docs", "saml-validation.md"));

        Assert.That(SamlErrorCodes.All, Has.Count.EqualTo(26));
        foreach (var code in SamlErrorCodes.All.Append(Acs.Core.Login.LoginErrorCodes.RequestNotFromThisBrowser))
        {
            Assert.That(doc, Does.Contain($"| `{code}` |"), code);
        }
    }
}
